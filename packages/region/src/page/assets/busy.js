// Buttons stay focusable while their work runs: `disabled` would drop keyboard focus to the page's start.

/** Runs `work` unless `button`'s previous run is still going; marks the button busy (aria-disabled) meanwhile. */
export async function whileBusy(button, work) {
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  try {
    await work();
  } finally {
    button.removeAttribute('aria-disabled');
  }
}
