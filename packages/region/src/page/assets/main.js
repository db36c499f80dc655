// The Images page: log in with an API key (kept for this tab in sessionStorage), then the source, the selection,
// the hourly sync toggle and the live images table. Logging out reloads the page, so nothing of a session lingers.

import { ApiError, call, forgetKey, parseKey, storedKey, storeKey } from './api.js';
import { createSelectionPanel } from './selection.js';
import { createSourcePanel } from './source.js';
import { startLive } from './live.js';

const $ = (id) => document.getElementById(id);
const NOTICE = 'bootsync.notice';

function logOut(notice) {
  forgetKey();
  if (notice) sessionStorage.setItem(NOTICE, notice);
  location.reload();
}

/** Checks a key as `maas login` does: a signed `users/?op=whoami`. */
async function logIn(event) {
  event.preventDefault();
  const error = $('login-error');
  const key = $('api-key').value.trim();
  if (!parseKey(key)) {
    error.textContent = 'An API key has three parts separated by colons: consumer:token:secret.';
    return;
  }
  try {
    await call(key, 'GET', 'users/?op=whoami');
  } catch (err) {
    error.textContent = err instanceof ApiError && err.status === 401 ? 'The region rejected this API key.' : err.message;
    return;
  }
  storeKey(key);
  $('api-key').value = '';
  show(key);
}

async function autoImportToggle(key) {
  const toggle = $('auto-import');
  const error = $('config-error');
  toggle.checked = await call(key, 'GET', 'maas/?op=get_config', [['name', 'boot_images_auto_import']]);
  toggle.addEventListener('change', async () => {
    error.textContent = '';
    toggle.disabled = true;
    try {
      await call(key, 'POST', 'maas/?op=set_config', [['name', 'boot_images_auto_import'], ['value', String(toggle.checked)]]);
    } catch (err) {
      toggle.checked = !toggle.checked;
      error.textContent = `Could not change hourly sync: ${err.message}`;
    } finally {
      toggle.disabled = false;
    }
  });
}

async function show(key) {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  const live = startLive({ key, onUnauthorized: () => logOut('The region no longer accepts this API key; log in again.') });
  const selection = createSelectionPanel({ key, persistSource: () => source.persist(), afterSave: () => live.refresh() });
  const source = createSourcePanel({
    key,
    onConnected: (offer, savedId) => selection.show(offer, savedId),
    onDisconnected: () => selection.hide(),
  });
  try {
    await Promise.all([autoImportToggle(key), source.load()]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) logOut('The region rejected this API key; log in again.');
    else $('config-error').textContent = err.message;
  }
}

$('logout').addEventListener('click', () => logOut());
$('login-form').addEventListener('submit', logIn);
const key = storedKey();
if (key) {
  show(key);
} else {
  $('login-error').textContent = sessionStorage.getItem(NOTICE) ?? '';
  sessionStorage.removeItem(NOTICE);
  $('login').hidden = false;
  $('api-key').focus();
}
