// How values read on the page: sizes, dates, image and rack names. Pure functions.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB"; unknown sizes read as an em dash. */
export function formatSize(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** The API's dates are UTC without a zone (`2025-07-24T08:01:49.123`); show them as such, to the minute. */
export function formatWhen(date) {
  if (typeof date !== 'string' || date === '') return 'Never';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(date);
  return m ? `${m[1]} ${m[2]} UTC` : date;
}

/** "24.04 LTS (Noble Numbat)" for an offered Ubuntu release; the title for anything else. */
export function releaseLabel(image) {
  if (image.releaseTitle && image.releaseCodename) return `${image.releaseTitle} (${image.releaseCodename})`;
  return image.releaseTitle ?? image.title ?? `${image.os}/${image.release}`;
}

/** The images table's Release cell: the title the stream gave, else `os/release`. */
export function resourceLabel(resource) {
  return typeof resource.title === 'string' && resource.title !== '' ? resource.title : resource.name;
}

/** The words of each image sync status (`rackcontrollers/` image_sync_status), in the order the page lists them. */
export const RACK_STATUS = {
  synced: 'Synced',
  syncing: 'Syncing',
  'out-of-sync': 'Out of sync',
  'region-importing': 'Waiting for the region to import',
  unknown: 'Unknown',
};

/** A rack controller as `rackcontrollers/` lists it (MAAS's `image_sync_status` words), with its last error. */
export function rackRow(rack) {
  const status = RACK_STATUS[rack.image_sync_status] ?? rack.image_sync_status ?? 'Unknown';
  const error = rack.last_error?.message;
  return {
    name: rack.hostname ?? rack.system_id,
    status: `${rack.connected === false ? 'Disconnected, ' : ''}${status}${error ? ` (${error})` : ''}`,
    lastSync: rack.last_image_sync,
  };
}
