// What changes on its own: the images table, the custom images, the running import and its last error, the rack
// controllers.
// Polled once a second (EventSource cannot send the Authorization header), so the page is at most ~1 s behind.

import { ApiError, call } from './api.js';
import { whileBusy } from './busy.js';
import { formatSize, formatWhen, resourceLabel } from './format.js';
import { createRackTable } from './racks.js';
import { row, setText } from './table.js';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);
const UPLOADED = 'Uploaded';

/**
 * `onUnauthorized()` runs when the key is refused mid-session; `customImages` shows the uploaded images (see
 * custom-images.js). Returns {refresh(), stop()}.
 */
export function startLive({ key, onUnauthorized, customImages }) {
  let timer;
  let stopped = false;
  let running = false;
  let again = false; // a refresh asked for while a poll was running: poll again at once after it

  // One list for both tables: each entry carries its status and size, so no image costs a request of its own.
  async function images() {
    const resources = await call(key, 'GET', 'boot-resources/');
    const synced = resources.filter((r) => r.type !== UPLOADED);
    const table = $('images-table');
    table.tBodies[0].replaceChildren(
      ...synced.map((r) =>
        row(table, [resourceLabel(r), r.architecture, formatSize(r.size), r.status, formatWhen(r.last_synced)], { name: r.name, arch: r.architecture }),
      ),
    );
    $('no-images').hidden = synced.length > 0;
    customImages.show(resources.filter((r) => r.type === UPLOADED));
  }

  async function importStatus() {
    const { importing, runs } = await call(key, 'GET', 'boot-resources/?op=import_status', [['runs', 1]]);
    $('stop-import').hidden = !importing;
    const last = runs[0];
    setText($('import-summary'), importing ? 'Importing images…' : last ? `Last import ${last.outcome}, ${formatWhen(last.finished ?? last.started)}.` : 'No import yet.');
    const failed = last && !importing && last.errors.length > 0;
    setText($('import-error'), failed ? `Last import: ${last.errors.map((e) => (e.item ? `${e.item}: ${e.message}` : e.message)).join('; ')}` : '');
  }

  async function tick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const started = Date.now();
    try {
      await Promise.all([images(), importStatus(), racks.refresh()]);
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

  function refresh() {
    clearTimeout(timer);
    if (!stopped) tick();
  }
  const racks = createRackTable({ key, changed: refresh });

  tick();
  return {
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
