import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeOffer } from '@bootsync/shared/select';
import { readMirror } from '@bootsync/shared/streams';
import { PAGE_ASSET_DIR } from '@bootsync/region/page';
import { realFixtures } from '@bootsync/testkit/fixtures';

// The page's checkbox logic (assets/choices.js) is plain browser JavaScript with no DOM use, so Node runs the very
// file the browser gets. The offer is what op=fetch answers for the real July 2025 stream excerpt.

const realMirror = realFixtures.maasStable2025;

interface OfferedImage {
  readonly kind: string;
  readonly os: string;
  readonly release: string;
  readonly title: string;
  readonly arches: readonly string[];
}
interface Offer {
  readonly images: readonly OfferedImage[];
}
interface SavedSelection {
  readonly id: number;
  readonly os: string;
  readonly release: string;
  readonly arches: readonly string[];
}
interface Wanted {
  readonly os: string;
  readonly release: string;
  readonly arches: readonly string[];
}
interface Choices {
  readonly releases: Set<string>;
  readonly arches: Set<string>;
  readonly others: Set<string>;
}
type Change =
  | { readonly kind: 'create'; readonly wanted: Wanted }
  | { readonly kind: 'update'; readonly selection: SavedSelection; readonly arches: readonly string[] }
  | { readonly kind: 'delete'; readonly selection: SavedSelection };
interface ChoicesModule {
  ubuntuReleases(offer: Offer): OfferedImage[];
  ubuntuArches(offer: Offer): string[];
  otherImages(offer: Offer): { id: string; os: string; release: string; title: string; arch: string }[];
  currentChoices(selections: readonly SavedSelection[], offer: Offer): Choices;
  wantedSelections(choices: Choices, offer: Offer): Wanted[];
  selectionChanges(existing: readonly SavedSelection[], wanted: readonly Wanted[], offer: Offer): Change[];
}

const choices = (releases: string[], arches: string[], others: string[] = []): Choices => ({
  releases: new Set(releases),
  arches: new Set(arches),
  others: new Set(others),
});
const sel = (id: number, os: string, release: string, arches: string[]): SavedSelection => ({ id, os, release, arches });
/** Changes as short strings, so a table reads like what the page will call. */
const calls = (changes: Change[]): string[] =>
  changes.map((c) =>
    c.kind === 'create'
      ? `create ${c.wanted.os}/${c.wanted.release} ${c.wanted.arches.join(',')}`
      : c.kind === 'update'
        ? `update #${c.selection.id} ${c.arches.join(',')}`
        : `delete #${c.selection.id}`,
  );

describe('the Images page checkboxes and the selections they write', () => {
  let page: ChoicesModule;
  let offer: Offer;

  beforeAll(async () => {
    page = (await import(pathToFileURL(path.join(PAGE_ASSET_DIR, 'choices.js')).href)) as ChoicesModule;
    const mirror = await readMirror(realMirror, { verify: false });
    // Through JSON, as the page receives it from op=fetch.
    offer = JSON.parse(JSON.stringify(summarizeOffer(mirror.items))) as Offer;
  });

  it('lists Ubuntu releases newest first with their arches, other images per arch, and no bootloaders', () => {
    expect(page.ubuntuReleases(offer).map((r) => r.release)).toEqual(['noble', 'jammy']);
    expect(page.ubuntuArches(offer).sort()).toEqual(['amd64', 'arm64']);
    expect(page.otherImages(offer).map((o) => `${o.id} ${o.title}`)).toEqual(['centos/centos70/amd64 CentOS 7', 'centos/8/amd64 CentOS 8']);
  });

  it('checks what the saved selections select, `*` meaning every offered arch', () => {
    const now = page.currentChoices([sel(1, 'ubuntu', 'noble', ['*']), sel(2, 'centos', 'centos70', ['amd64']), sel(3, 'grub-efi', 'uefi', ['*'])], offer);
    expect([...now.releases]).toEqual(['noble']);
    expect([...now.arches].sort()).toEqual(['amd64', 'arm64']);
    expect([...now.others]).toEqual(['centos/centos70/amd64']);
  });

  it('saving what is checked now changes nothing, `*` included', () => {
    const saved = [sel(1, 'ubuntu', 'noble', ['*']), sel(2, 'ubuntu', 'jammy', ['amd64', 'arm64']), sel(3, 'centos', '8', ['amd64'])];
    const wanted = page.wantedSelections(page.currentChoices(saved, offer), offer);
    expect(calls(page.selectionChanges(saved, wanted, offer))).toEqual([]);
  });

  it('turns ticks and unticks into creates, updates and deletes, leaving what the page does not show alone', () => {
    const saved = [
      sel(1, 'ubuntu', 'noble', ['amd64']),
      sel(2, 'ubuntu', 'jammy', ['amd64']),
      sel(3, 'ubuntu', 'noble', ['amd64']), // a duplicate: the first one is kept
      sel(4, 'grub-efi', 'uefi', ['*']), // bootloader
      sel(5, 'ubuntu', 'focal', ['amd64']), // not offered by this source any more
    ];
    const wanted = page.wantedSelections(choices(['noble'], ['amd64', 'arm64'], ['centos/8/amd64']), offer);
    expect(calls(page.selectionChanges(saved, wanted, offer))).toEqual(['update #1 amd64,arm64', 'delete #2', 'delete #3', 'create centos/8 amd64']);
  });

  it('unticking everything deletes every selection it shows', () => {
    const saved = [sel(1, 'ubuntu', 'noble', ['*']), sel(2, 'centos', 'centos70', ['amd64'])];
    expect(calls(page.selectionChanges(saved, page.wantedSelections(choices([], []), offer), offer))).toEqual(['delete #1', 'delete #2']);
  });

  it('gives each release only the ticked arches it is offered for, and says so when none is', () => {
    const amd64Jammy: Offer = { images: offer.images.map((i) => (i.release === 'jammy' ? { ...i, arches: ['amd64'] } : i)) };
    expect(page.wantedSelections(choices(['noble', 'jammy'], ['amd64', 'arm64']), amd64Jammy)).toEqual([
      { os: 'ubuntu', release: 'noble', arches: ['amd64', 'arm64'] },
      { os: 'ubuntu', release: 'jammy', arches: ['amd64'] },
    ]);
    expect(() => page.wantedSelections(choices(['jammy'], ['arm64']), amd64Jammy)).toThrow('22.04 LTS (Jammy Jellyfish) is offered for amd64 only: choose one of them.');
    expect(() => page.wantedSelections(choices(['noble'], []), offer)).toThrow('Choose at least one architecture for the Ubuntu releases.');
  });
});
