// The Images page's checkboxes and the boot source selections they stand for. Pure functions.
// `offer` is what `boot-sources/?op=fetch` answers: {url, images: [{kind, os, release, title, arches, ...}]}.

import { releaseLabel } from './format.js';

const ANY = '*';
const key = (os, release) => `${os}/${release}`;

/** Offered Ubuntu releases, newest first ("24.04 LTS" before "22.04 LTS"). */
export function ubuntuReleases(offer) {
  const version = (image) => image.releaseTitle ?? image.release;
  return offer.images.filter((i) => i.kind === 'ubuntu').sort((a, b) => version(b).localeCompare(version(a), 'en', { numeric: true }));
}

/** Every architecture an Ubuntu release is offered for, in stream order. */
export function ubuntuArches(offer) {
  return [...new Set(offer.images.filter((i) => i.kind === 'ubuntu').flatMap((i) => i.arches))];
}

/** "Other images" (CentOS and the like, not bootloaders): one choice per os, release and architecture. */
export function otherImages(offer) {
  return offer.images
    .filter((i) => i.kind !== 'ubuntu' && i.kind !== 'bootloader')
    .flatMap((i) => i.arches.map((arch) => ({ id: `${key(i.os, i.release)}/${arch}`, os: i.os, release: i.release, title: i.title, arch })));
}

/** What the saved selections select now, as the page's checkboxes: Ubuntu releases, their arches, other image ids. */
export function currentChoices(selections, offer) {
  const releases = new Set();
  const arches = new Set();
  const others = new Set();
  const allUbuntuArches = ubuntuArches(offer);
  for (const s of selections) {
    const wants = (arch) => s.arches.includes(ANY) || s.arches.includes(arch);
    if (s.os === 'ubuntu') {
      releases.add(s.release);
      for (const arch of allUbuntuArches) if (wants(arch)) arches.add(arch);
      continue;
    }
    for (const image of otherImages(offer)) {
      if (image.os === s.os && (s.release === ANY || image.release === s.release) && wants(image.arch)) others.add(image.id);
    }
  }
  return { releases, arches, others };
}

/**
 * The selections the checked boxes ask for: each checked Ubuntu release with the checked arches, each other image
 * with its checked arches. Throws an Error to show when Ubuntu releases are checked without an architecture.
 */
export function wantedSelections(choices, offer) {
  const ubuntu = ubuntuReleases(offer).filter((r) => choices.releases.has(r.release));
  if (ubuntu.length > 0 && choices.arches.size === 0) throw new Error('Choose at least one architecture for the Ubuntu releases.');
  // Each release gets the checked arches it is offered for: the region refuses a selection naming any other.
  const wanted = ubuntu.map((r) => {
    const arches = r.arches.filter((a) => choices.arches.has(a));
    if (arches.length === 0) throw new Error(`${releaseLabel(r)} is offered for ${r.arches.join(', ')} only: choose one of them.`);
    return { os: 'ubuntu', release: r.release, arches };
  });
  const others = new Map();
  for (const image of otherImages(offer)) {
    if (!choices.others.has(image.id)) continue;
    const k = key(image.os, image.release);
    if (!others.has(k)) others.set(k, { os: image.os, release: image.release, arches: [] });
    others.get(k).arches.push(image.arch);
  }
  return [...wanted, ...others.values()];
}

/**
 * The API calls that turn the saved selections into the wanted ones: `create`, `update` (arches) and `delete`.
 * Selections of images the page does not show (bootloaders, releases the source no longer offers) are left alone.
 */
export function selectionChanges(existing, wanted, offer) {
  const offered = new Map(offer.images.filter((i) => i.kind !== 'bootloader').map((i) => [key(i.os, i.release), i.arches]));
  const pending = new Map(wanted.map((w) => [key(w.os, w.release), w]));
  const changes = [];
  for (const s of existing) {
    const k = key(s.os, s.release);
    if (!offered.has(k)) continue;
    const w = pending.get(k);
    if (!w) {
      changes.push({ kind: 'delete', selection: s });
      continue;
    }
    pending.delete(k);
    if (!sameArches(s.arches, w.arches, offered.get(k))) changes.push({ kind: 'update', selection: s, arches: w.arches });
  }
  for (const w of pending.values()) changes.push({ kind: 'create', wanted: w });
  return changes;
}

/** `*` already selects every arch offered, and keeps selecting arches the source adds later: leave it be. */
function sameArches(saved, wanted, offeredArches) {
  if (saved.includes(ANY)) return offeredArches.every((a) => wanted.includes(a));
  return saved.length === wanted.length && saved.every((x) => wanted.includes(x));
}
