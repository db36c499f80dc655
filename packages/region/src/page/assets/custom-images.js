// "Custom images": the images uploaded with `boot-resources create` (type "Uploaded"), shown from the list the page
// polls anyway, so no request per image. An admin deletes one after a confirmation step; a user who only reads sees
// no delete at all. Rows are updated in place, so a poll never takes the keyboard focus away from a button.

import { call } from './api.js';
import { whileBusy } from './busy.js';
import { formatSize } from './format.js';
import { row, setText } from './table.js';

const $ = (id) => document.getElementById(id);

const cellsOf = (r) => [r.name, typeof r.title === 'string' ? r.title : '', r.architecture, formatSize(r.size), r.status];
const labelOf = (r) => `${r.name} ${r.architecture}`;

/** `afterDelete()` runs once the region deleted an image, so the page polls again at once. */
export function createCustomImages({ key, afterDelete }) {
  const table = $('custom-table');
  const heading = $('custom-title');
  const status = $('custom-status');
  const actionsHeader = $('custom-actions');
  /** resource id → {tr, resource, confirm?: tr}, in the order shown. */
  const shown = new Map();
  /** Deleted here, until a list without them arrives: a poll that was under way must not bring them back. */
  const deleted = new Set();
  let canDelete = false;
  let last = [];

  /** Moves the focus somewhere sensible before `element`, which holds it, leaves the page. */
  function keepFocus(element) {
    if (element.contains(document.activeElement)) heading.focus();
  }

  function closeConfirm(entry, { focusButton }) {
    if (!entry.confirm) return;
    keepFocus(entry.confirm);
    entry.confirm.remove();
    entry.confirm = undefined;
    const button = entry.tr.querySelector('button');
    button?.setAttribute('aria-expanded', 'false');
    if (focusButton) button?.focus();
  }

  function drop(id) {
    const entry = shown.get(id);
    if (!entry) return;
    closeConfirm(entry, { focusButton: false });
    keepFocus(entry.tr);
    entry.tr.remove();
    shown.delete(id);
  }

  async function remove(entry, confirmButton, error) {
    const r = entry.resource;
    try {
      await call(key, 'DELETE', `boot-resources/${r.id}/`);
    } catch (err) {
      error.textContent = `Could not delete ${labelOf(r)}: ${err.message}`;
      return;
    }
    deleted.add(r.id);
    drop(r.id);
    setText(status, `Deleted ${labelOf(r)}.`);
    $('no-custom-images').hidden = shown.size > 0;
    afterDelete();
  }

  /** The confirmation step, in a row under the image's: Cancel (focused) or Delete image; Escape cancels. */
  function openConfirm(entry, button) {
    if (entry.confirm) {
      entry.confirm.querySelector('button').focus();
      return;
    }
    const r = entry.resource;
    const tr = document.createElement('tr');
    tr.className = 'confirm';
    tr.id = `confirm-${r.id}`;
    const td = document.createElement('td');
    td.colSpan = table.tHead.rows[0].cells.length;
    const box = document.createElement('div');
    box.className = 'confirm-box';
    box.setAttribute('role', 'group');
    const question = document.createElement('p');
    question.id = `confirm-${r.id}-question`;
    question.textContent = `Are you sure you want to delete ${labelOf(r)}? The region and its rack controllers stop serving it.`;
    box.setAttribute('aria-labelledby', question.id);
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    const confirm = document.createElement('button');
    confirm.type = 'button';
    confirm.className = 'danger';
    confirm.textContent = 'Delete image';
    const error = document.createElement('p');
    error.className = 'error';
    error.setAttribute('role', 'alert');
    const actions = document.createElement('div');
    actions.className = 'actions';
    actions.append(cancel, confirm);
    box.append(question, actions, error);
    td.append(box);
    tr.append(td);
    cancel.addEventListener('click', () => closeConfirm(entry, { focusButton: true }));
    confirm.addEventListener('click', () => whileBusy(confirm, () => remove(entry, confirm, error)));
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeConfirm(entry, { focusButton: true });
    });
    entry.tr.after(tr);
    entry.confirm = tr;
    button.setAttribute('aria-expanded', 'true');
    setText(status, '');
    cancel.focus();
  }

  function newRow(r) {
    const tr = row(table, cellsOf(r), { id: r.id, name: r.name, arch: r.architecture });
    const entry = { tr, resource: r, confirm: undefined };
    if (canDelete) {
      const td = document.createElement('td');
      td.dataset.label = actionsHeader.textContent;
      td.className = 'row-actions';
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Delete';
      button.setAttribute('aria-label', `Delete ${labelOf(r)}`);
      button.setAttribute('aria-expanded', 'false');
      button.setAttribute('aria-controls', `confirm-${r.id}`);
      button.addEventListener('click', () => openConfirm(entry, button));
      td.append(button);
      tr.append(td);
    }
    return entry;
  }

  /** Shows `resources` (the uploaded ones of `boot-resources/`), keeping rows that are already there. */
  function show(resources) {
    last = resources;
    const ids = new Set(resources.map((r) => r.id));
    for (const id of deleted) if (!ids.has(id)) deleted.delete(id);
    const wanted = resources.filter((r) => !deleted.has(r.id));
    const wantedIds = new Set(wanted.map((r) => r.id));
    for (const id of [...shown.keys()]) if (!wantedIds.has(id)) drop(id);
    const body = table.tBodies[0];
    let before = body.firstElementChild;
    for (const r of wanted) {
      let entry = shown.get(r.id);
      if (entry) {
        entry.resource = r;
        cellsOf(r).forEach((text, i) => setText(entry.tr.cells[i], text));
      } else {
        entry = newRow(r);
        shown.set(r.id, entry);
      }
      // Nodes move only when the order changed: moving a row would take the focus from its button.
      for (const tr of [entry.tr, entry.confirm].filter(Boolean)) {
        if (tr !== before) body.insertBefore(tr, before);
        before = tr.nextElementSibling;
      }
    }
    $('no-custom-images').hidden = wanted.length > 0;
  }

  return {
    show,
    /** The user is an admin (users/?op=whoami): rows get their delete button. */
    allowDelete() {
      if (canDelete) return;
      canDelete = true;
      actionsHeader.hidden = false;
      for (const id of [...shown.keys()]) drop(id);
      show(last);
    },
  };
}
