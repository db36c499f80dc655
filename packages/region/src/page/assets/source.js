// "Choose source": maas.io or a custom mirror with its keyring; "Connect" reads and verifies it through
// boot-sources/?op=fetch without saving, and the source is saved only with the selection.

import { call } from './api.js';
import { whileBusy } from './busy.js';

const MAAS_IO = {
  url: 'http://images.maas.io/ephemeral-v3/stable/',
  keyringFilename: '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg',
};

const $ = (id) => document.getElementById(id);
const isMaasIo = (url) => /^https?:\/\/images\.maas\.io\//.test(`${url}/`);
const sameUrl = (a, b) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** Armored text as the base64 the API takes for keyring_data. */
function base64(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Wires the source form. `onConnected(offer, savedId)` gets what a connected source offers; `onDisconnected()` runs when
 * a connect fails, so the page never offers images of a source it could not verify.
 */
export function createSourcePanel({ key, onConnected, onDisconnected }) {
  const form = $('source-form');
  const status = $('source-status');
  let saved; // the highest-priority boot source, as the API answers it
  let connected; // {url, keyringFilename?, keyringData?} of the last successful connect

  const custom = () => form.elements['source-kind'].value === 'custom';
  const showKind = () => {
    $('custom-source').hidden = !custom();
    $('default-url').textContent = custom() ? '' : `${MAAS_IO.url} (signed with ${MAAS_IO.keyringFilename})`;
  };
  for (const radio of form.elements['source-kind']) radio.addEventListener('change', showKind);

  $('toggle-advanced').addEventListener('click', (event) => {
    const open = event.currentTarget.getAttribute('aria-expanded') !== 'true';
    event.currentTarget.setAttribute('aria-expanded', String(open));
    event.currentTarget.textContent = open ? 'Hide advanced options' : 'Show advanced options';
    $('advanced').hidden = !open;
  });

  /** What the form asks for, as the boot source fields the API takes. */
  function requested() {
    if (!custom()) return { url: MAAS_IO.url, keyringFilename: MAAS_IO.keyringFilename };
    const url = $('source-url').value.trim();
    const data = $('keyring-data').value.trim();
    const filename = $('keyring-filename').value.trim();
    if (data !== '') return { url, keyringData: base64(`${data}\n`) };
    if (filename !== '') return { url, keyringFilename: filename };
    // Nothing typed: keep the keyring saved with this source, if the URL is still its URL.
    if (saved && sameUrl(saved.url, url)) {
      return saved.keyring_data ? { url, keyringData: saved.keyring_data } : { url, keyringFilename: saved.keyring_filename };
    }
    return { url };
  }

  /** The source as API fields; the keyring form not used goes empty, which clears it when an update switches forms. */
  function fields(source) {
    return [
      ['url', source.url],
      ['keyring_data', source.keyringData ?? ''],
      ['keyring_filename', source.keyringData ? '' : (source.keyringFilename ?? '')],
    ];
  }

  async function connect() {
    const source = requested();
    if (source.url === '') {
      status.className = 'status error';
      status.textContent = 'Enter the URL of the mirror.';
      $('source-url').focus();
      return;
    }
    status.className = 'status';
    status.textContent = `Connecting to ${source.url}…`;
    try {
      const offer = await call(key, 'POST', 'boot-sources/?op=fetch', fields(source));
      connected = source;
      const count = offer.images.filter((i) => i.kind !== 'bootloader').length;
      status.textContent = `Connected to ${offer.url}: ${count} image${count === 1 ? '' : 's'} offered.`;
      onConnected(offer, saved?.id);
    } catch (err) {
      connected = undefined;
      status.className = 'status error';
      status.textContent = `Could not connect: ${err.message}`;
      onDisconnected();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy($('connect'), connect);
  });

  return {
    /** Reads the saved source into the form and connects to it (unless told not to: a user who only reads). */
    async load({ connect: andConnect = true } = {}) {
      const sources = await call(key, 'GET', 'boot-sources/');
      saved = sources[0];
      const maasIo = !saved || isMaasIo(saved.url);
      form.elements['source-kind'].value = maasIo ? 'default' : 'custom';
      if (saved && !maasIo) {
        $('source-url').value = saved.url;
        $('keyring-filename').value = saved.keyring_filename;
        $('keyring-data').placeholder = saved.keyring_data ? 'A keyring is saved with this source; paste another to replace it.' : '';
      }
      showKind();
      if (andConnect) await connect();
    },

    /** Saves the connected source when it differs from the saved one (creating it if there is none); its id. */
    async persist() {
      if (!connected) throw new Error('Connect to a source first.');
      const keyring = connected.keyringData
        ? { keyringData: connected.keyringData, same: saved?.keyring_data === connected.keyringData }
        : { same: saved?.keyring_filename === connected.keyringFilename && !saved?.keyring_data };
      if (saved && sameUrl(saved.url, connected.url) && keyring.same) return saved.id;
      saved = saved
        ? await call(key, 'PUT', `boot-sources/${saved.id}/`, fields(connected))
        : await call(key, 'POST', 'boot-sources/', fields(connected));
      $('keyring-filename').value = saved.keyring_filename;
      return saved.id;
    },
  };
}
