// The checkboxes of what a connected source offers, and "Save selection": save the source if it changed, write
// the selections (create, update, delete) and start an import.

import { call } from './api.js';
import { currentChoices, otherImages, selectionChanges, ubuntuArches, ubuntuReleases, wantedSelections } from './choices.js';
import { releaseLabel } from './format.js';
import { whileBusy } from './busy.js';

const $ = (id) => document.getElementById(id);

function checkbox(name, value, label, checked) {
  const wrap = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.name = name;
  input.value = value;
  input.checked = checked;
  wrap.append(input, ` ${label}`);
  return wrap;
}

const checkedValues = (name) => new Set([...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value));

/**
 * `persistSource()` saves the connected source and resolves with its id; `afterSave()` runs once the import was
 * started, so the images table refreshes at once.
 */
export function createSelectionPanel({ key, persistSource, afterSave }) {
  const form = $('selection-form');
  const status = $('save-status');
  let offer;

  async function save() {
    status.className = 'status';
    let wanted;
    try {
      wanted = wantedSelections({ releases: checkedValues('release'), arches: checkedValues('arch'), others: checkedValues('other') }, offer);
    } catch (err) {
      status.className = 'status error';
      status.textContent = err.message;
      return;
    }
    status.textContent = 'Saving…';
    try {
      const sourceId = await persistSource();
      const base = `boot-sources/${sourceId}/selections/`;
      const existing = await call(key, 'GET', base);
      for (const change of selectionChanges(existing, wanted, offer)) {
        if (change.kind === 'delete') await call(key, 'DELETE', `${base}${change.selection.id}/`);
        if (change.kind === 'update') await call(key, 'PUT', `${base}${change.selection.id}/`, change.arches.map((a) => ['arches', a]));
        if (change.kind === 'create') {
          const w = change.wanted;
          await call(key, 'POST', base, [['os', w.os], ['release', w.release], ...w.arches.map((a) => ['arches', a])]);
        }
      }
      await call(key, 'POST', 'boot-resources/?op=import');
      status.textContent = 'Selection saved; import started.';
      afterSave();
    } catch (err) {
      status.className = 'status error';
      status.textContent = `Could not save the selection: ${err.message}`;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy($('save'), save);
  });

  return {
    /** Shows what `connected` offers, checked as the saved selections of the saved source (if any) select it. */
    async show(connected, sourceId) {
      offer = connected;
      const selections = sourceId === undefined ? [] : await call(key, 'GET', `boot-sources/${sourceId}/selections/`);
      const now = currentChoices(selections, offer);
      $('ubuntu-releases').replaceChildren(...ubuntuReleases(offer).map((r) => checkbox('release', r.release, releaseLabel(r), now.releases.has(r.release))));
      $('ubuntu-arches').replaceChildren(...ubuntuArches(offer).map((a) => checkbox('arch', a, a, now.arches.has(a))));
      const others = otherImages(offer);
      $('other-images').replaceChildren(...others.map((o) => checkbox('other', o.id, `${o.title} (${o.arch})`, now.others.has(o.id))));
      $('other-section').hidden = others.length === 0;
      status.textContent = '';
      form.hidden = false;
    },
    hide() {
      offer = undefined;
      form.hidden = true;
    },
  };
}
