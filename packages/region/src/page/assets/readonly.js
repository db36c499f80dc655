// A user who is not an admin reads everything but changes nothing (the region answers their writes with a 403):
// every control that would write is shown disabled, including those the live table adds later.

const $ = (id) => document.getElementById(id);

/** Controls inside these change the region; the login form and "Log out" stay usable. */
const WRITING = '#app input, #app button, #app textarea, #app select';

function disableWithin(root) {
  const controls = root.matches?.(WRITING) ? [root] : [...(root.querySelectorAll?.(WRITING) ?? [])];
  for (const control of controls) {
    control.disabled = true;
    control.title = 'Only an admin can change this.';
  }
}

/** Shows who is logged in and that they read only, and keeps every writing control of the page disabled. */
export function showReadOnly(username, selections) {
  const selected = selections.map((s) => `${s.os}/${s.release} (${s.arches.join(', ')})`).join('; ');
  const notice = $('read-only');
  notice.textContent =
    `Logged in as ${username}, who can read but not change images: an admin chooses the source and selections. ` +
    `Selected: ${selected || 'nothing'}.`;
  notice.hidden = false;
  $('selection-form').hidden = true;
  disableWithin($('app'));
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) if (node.nodeType === 1) disableWithin(node);
  }).observe($('app'), { childList: true, subtree: true });
}
