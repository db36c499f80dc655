// "Rack controllers": counts per image sync status, which are also the filters, and one page of the chosen racks.
// A region may have a thousand racks: each poll asks for the counts (`rackcontrollers/?op=summary`) and for the
// racks of one page only, and rows are rebuilt only when what they show changed.

import { ApiError, call } from './api.js';
import { formatWhen, RACK_STATUS, rackRow } from './format.js';
import { row, setText } from './table.js';

const $ = (id) => document.getElementById(id);
const RACK_PAGE_SIZE = 25;
const ALL = '';

/** `changed()` asks the page to poll again now (after a filter or a page was chosen). Returns {refresh()}. */
export function createRackTable({ key, changed }) {
  const section = $('racks');
  const table = $('racks-table');
  const filters = $('racks-filters');
  let served = true;
  let status = ALL;
  let offset = 0;
  let shownRows = '';

  /** One button per status and one for all, each showing its count; the pressed one is the filter. */
  const buttons = new Map(
    [[ALL, 'All'], ...Object.entries(RACK_STATUS)].map(([value, label]) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.status = value;
      const name = document.createElement('span');
      name.textContent = label;
      const count = document.createElement('span');
      count.className = 'count';
      button.append(name, ' ', count);
      button.addEventListener('click', () => {
        status = value;
        offset = 0;
        changed();
      });
      filters.append(button);
      return [value, { button, count }];
    }),
  );

  $('racks-prev').addEventListener('click', () => {
    offset = Math.max(0, offset - RACK_PAGE_SIZE);
    changed();
  });
  $('racks-next').addEventListener('click', () => {
    offset += RACK_PAGE_SIZE;
    changed();
  });

  function showCounts(summary) {
    for (const [value, { button, count }] of buttons) {
      setText(count, String(value === ALL ? summary.total : (summary.image_sync_status[value] ?? 0)));
      button.setAttribute('aria-pressed', String(value === status));
    }
    const disconnected = summary.total - summary.connected;
    setText($('racks-summary'), `${summary.total} rack controller${summary.total === 1 ? '' : 's'}${disconnected > 0 ? `, ${disconnected} disconnected` : ''}.`);
  }

  function showPage(list, matching) {
    const rows = list.map(rackRow);
    const signature = JSON.stringify(rows);
    if (signature !== shownRows) {
      shownRows = signature;
      table.tBodies[0].replaceChildren(...rows.map((r) => row(table, [r.name, r.status, formatWhen(r.lastSync)], { name: r.name })));
    }
    const last = Math.min(offset + list.length, matching);
    setText($('racks-range'), matching === 0 ? '' : `${offset + 1}–${last} of ${matching}`);
    $('racks-pager').hidden = matching <= RACK_PAGE_SIZE;
    $('racks-prev').disabled = offset === 0;
    $('racks-next').disabled = last >= matching;
  }

  async function refresh() {
    if (!served) return;
    let summary;
    try {
      summary = await call(key, 'GET', 'rackcontrollers/?op=summary');
    } catch (err) {
      // A region without the rack controllers endpoint: hide the section for good.
      if (err instanceof ApiError && err.status === 404) {
        served = false;
        section.hidden = true;
        return;
      }
      throw err;
    }
    section.hidden = false;
    showCounts(summary);
    const matching = status === ALL ? summary.total : (summary.image_sync_status[status] ?? 0);
    // Fewer racks than the page started at (they synced, or went): back to the last page that has some.
    if (offset >= matching) offset = Math.max(0, Math.ceil(matching / RACK_PAGE_SIZE) - 1) * RACK_PAGE_SIZE;
    const fields = [['offset', offset], ['limit', RACK_PAGE_SIZE], ...(status === ALL ? [] : [['image_sync_status', status]])];
    const list = await call(key, 'GET', 'rackcontrollers/', fields);
    showPage(list, matching);
    $('no-racks').hidden = summary.total > 0;
    setText($('no-racks-match'), summary.total > 0 && matching === 0 ? `No rack controller reads "${RACK_STATUS[status]}".` : '');
  }

  return { refresh };
}
