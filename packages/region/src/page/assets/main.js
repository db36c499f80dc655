// The Images page: log in with an API key (kept for this tab in sessionStorage), then the source, the selection,
// the hourly sync toggle, the live images table and the custom images. Logging out reloads the page, so nothing of a
// session lingers.

import { ApiError, call, forgetKey, parseKey, storedKey, storeKey } from './api.js';
import { createSelectionPanel } from './selection.js';
import { createSourcePanel } from './source.js';
import { startLive } from './live.js';
import { createCustomImages } from './custom-images.js';
import { showReadOnly } from './readonly.js';

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
  // Writes go one after another, each with the state it was clicked to, so quick toggles end where the user left it.
  let writes = Promise.resolve();
  toggle.addEventListener('change', () => {
    const value = toggle.checked;
    writes = writes.then(async () => {
      error.textContent = '';
      try {
        await call(key, 'POST', 'maas/?op=set_config', [['name', 'boot_images_auto_import'], ['value', String(value)]]);
      } catch (err) {
        toggle.checked = !value;
        error.textContent = `Could not change hourly sync: ${err.message}`;
      }
    });
  });
}

async function show(key) {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  const customImages = createCustomImages({ key, afterDelete: () => live.refresh() });
  const live = startLive({ key, customImages, onUnauthorized: () => logOut('The region no longer accepts this API key; log in again.') });
  const selection = createSelectionPanel({ key, persistSource: () => source.persist(), afterSave: () => live.refresh() });
  const source = createSourcePanel({
    key,
    onConnected: (offer, savedId) => selection.show(offer, savedId),
    onDisconnected: () => selection.hide(),
  });
  try {
    const me = await call(key, 'GET', 'users/?op=whoami');
    if (me.is_superuser) {
      customImages.allowDelete();
      await Promise.all([autoImportToggle(key), source.load()]);
    } else {
      // Connecting reads the source through the region, which only admins may ask it to do.
      await Promise.all([autoImportToggle(key), source.load({ connect: false })]);
      const sources = await call(key, 'GET', 'boot-sources/');
      const selections = (await Promise.all(sources.map((s) => call(key, 'GET', `boot-sources/${s.id}/selections/`)))).flat();
      showReadOnly(me.username, selections);
    }
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
