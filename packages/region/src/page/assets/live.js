// What changes on its own: the images table, the running import and its last error, the rack controllers.
// Polled once a second (EventSource cannot send the Authorization header), so the page is at most ~1 s behind.

import { ApiError, call } from './api.js';
import { whileBusy } from './busy.js';
import { formatSize, formatWhen, rackRow, resourceLabel } from './format.js';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);

/** A row of `table`; each cell carries its column's name, which a narrow window shows beside the value. */
function row(table, cells, data) {
  const headers = [...table.tHead.rows[0].cells].map((th) => th.textContent);
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(data)) tr.dataset[k] = v;
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.dataset.label = headers[i];
    td.textContent = text;
    tr.append(td);
  });
  return tr;
}

/** Sets text only when it changes, so aria-live regions announce changes and not every poll. */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** Size of the newest set of a resource (`boot-resources/{id}/` lists its sets by version). */
function newestSetSize(detail) {
  const versions = Object.keys(detail.sets ?? {}).sort();
  return versions.length === 0 ? undefined : detail.sets[versions.at(-1)].size;
}

/** `onUnauthorized()` runs when the key is refused mid-session. Returns {refresh(), stop()}. */
export function startLive({ key, onUnauthorized }) {
  const sizes = new Map(); // resource id → {stamp, size}: the detail is read again only when the set may differ
  let racksServed = true;
  let timer;
  let stopped = false;
  let running = false;
  let again = false; // a refresh asked for while a poll was running: poll again at once after it

  async function sizeOf(resource) {
    const stamp = `${resource.last_synced}|${resource.status}`;
    const known = sizes.get(resource.id);
    if (known && known.stamp === stamp) return known.size;
    const size = newestSetSize(await call(key, 'GET', `boot-resources/${resource.id}/`));
    sizes.set(resource.id, { stamp, size });
    return size;
  }

  async function images() {
    const resources = await call(key, 'GET', 'boot-resources/');
    const withSizes = await Promise.all(resources.map(async (r) => ({ r, size: await sizeOf(r) })));
    const table = $('images-table');
    table.tBodies[0].replaceChildren(
      ...withSizes.map(({ r, size }) =>
        row(table, [resourceLabel(r), r.architecture, formatSize(size), r.status, formatWhen(r.last_synced)], { name: r.name, arch: r.architecture }),
      ),
    );
    $('no-images').hidden = resources.length > 0;
  }

  async function importStatus() {
    const { importing, runs } = await call(key, 'GET', 'boot-resources/?op=import_status', [['runs', 1]]);
    $('stop-import').hidden = !importing;
    const last = runs[0];
    setText($('import-summary'), importing ? 'Importing images…' : last ? `Last import ${last.outcome}, ${formatWhen(last.finished ?? last.started)}.` : 'No import yet.');
    const failed = last && !importing && last.errors.length > 0;
    setText($('import-error'), failed ? `Last import: ${last.errors.map((e) => (e.item ? `${e.item}: ${e.message}` : e.message)).join('; ')}` : '');
  }

  async function racks() {
    if (!racksServed) return;
    let list;
    try {
      list = await call(key, 'GET', 'rackcontrollers/');
    } catch (err) {
      // A region without the rack controllers endpoint: hide the section for good.
      if (err instanceof ApiError && err.status === 404) {
        racksServed = false;
        $('racks').hidden = true;
        return;
      }
      throw err;
    }
    $('racks').hidden = false;
    const table = $('racks-table');
    table.tBodies[0].replaceChildren(...list.map(rackRow).map((r) => row(table, [r.name, r.status, formatWhen(r.lastSync)], { name: r.name })));
    $('no-racks').hidden = list.length > 0;
  }

  async function tick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const started = Date.now();
    try {
      await Promise.all([images(), importStatus(), racks()]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        stopped = true;
        onUnauthorized();
      } else {
        setText($('import-summary'), `Status not updated: ${err.message}`);
      }
    } finally {
      running = false;
    }
    if (!stopped) timer = setTimeout(tick, again ? 0 : Math.max(0, POLL_MS - (Date.now() - started)));
    again = false;
  }

  $('stop-import').addEventListener('click', (event) =>
    whileBusy(event.currentTarget, async () => {
      try {
        await call(key, 'POST', 'boot-resources/?op=stop_import');
        setText($('import-summary'), 'Stopping the import…');
      } catch (err) {
        setText($('import-error'), `Could not stop the import: ${err.message}`);
      }
    }),
  );

  tick();
  return {
    refresh() {
      clearTimeout(timer);
      if (!stopped) tick();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
