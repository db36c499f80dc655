import type { FieldValue } from '../streams/types.js';

/**
 * The subarch directories a MAAS 3.4 rack links an image under (provisioningserver/import_images/download_resources.py
 * RepoWriter.insert_item): its own; `generic` too for the generic kernel of a release (a `ga-*` subarch, or
 * `hwe-<first letter of the release>` before Xenial) with kflavor `generic`, since MAAS boots enlistment and
 * commissioning from `generic`; and `hwe-rolling` (or `ga-rolling`...) for a rolling kernel. The rack lays its tree
 * out by it, and the region lists a rack's images by it (`rack-controller list-boot-images`). Pure.
 */
export function linkedSubarches(fields: Readonly<Record<string, FieldValue>>, subarch: string | undefined): string[] {
  if (subarch === undefined) return ['generic'];
  const release = String(fields.release ?? '');
  const subarches = [subarch];
  if (fields.kflavor === 'generic' && (subarch.startsWith('ga-') || subarch === `hwe-${release[0] ?? ''}`)) subarches.push('generic');
  if (fields.rolling === true || fields.rolling === 'true') {
    const parts = subarch.split('-');
    if (parts.length > 1) subarches.push([parts[0], 'rolling', ...parts.slice(2)].join('-'));
  }
  return [...new Set(subarches)];
}
