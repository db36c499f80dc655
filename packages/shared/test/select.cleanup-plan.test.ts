import { describe, expect, it } from 'vitest';
import {
  classifyItem, InvalidRetentionError, planCleanup, type BootImage, type HeldSet, type ImageIdentity, type Selection,
} from '@bootsync/shared/select';
import type { ProductItem } from '@bootsync/shared/streams';
import { bootloaderVersion, ubuntuVersion } from './select.fixtures.js';

const imageOf = (items: ProductItem[]): BootImage => classifyItem(items[0]!)!;
const noble = imageOf(ubuntuVersion());
const jammy = imageOf(ubuntuVersion({ release: 'jammy' }));
const pxeI386 = imageOf(bootloaderVersion('pxelinux', 'pxe', 'i386'));
const pxeAmd64 = imageOf(bootloaderVersion('pxelinux', 'pxe', 'amd64'));
const selectNoble: Selection = { os: 'ubuntu', release: 'noble', arches: ['amd64'], subarches: ['*'], labels: ['*'] };
const selectJammy: Selection = { ...selectNoble, release: 'jammy' };

/** `'20250101'` is a complete set, `'20250101?'` an incomplete one. */
const sets = (image: BootImage, ...versions: string[]): HeldSet[] =>
  versions.map((v) => ({ image, version: v.replace('?', ''), complete: !v.endsWith('?') }));
const names = (dropped: readonly HeldSet[]): string[] => dropped.map((s) => `${s.image.identity.name} ${s.version}${s.complete ? '' : '?'}`);
const ids = (images: readonly ImageIdentity[]): string[] => images.map((i) => `${i.name} ${i.architecture}`);

describe('retention and set completeness, per image', () => {
  it.each<[string, string[], number, string[]]>([
    ['retention 1 keeps the newest complete set', ['20250101', '20250201'], 1, ['20250101']],
    ['retention 2 keeps the two newest', ['20250101', '20250201', '20250301'], 2, ['20250101']],
    ['retention 2 with two sets drops none', ['20250101', '20250201'], 2, []],
    ['versions order by bytes, whatever the order held', ['20250201', '20250101.1', '20250101'], 1, ['20250101.1', '20250101']],
    ['an incomplete successor keeps its predecessor', ['20250101', '20250201?'], 1, []],
    ['an incomplete successor keeps the retained predecessors', ['20250101', '20250201', '20250301?'], 2, []],
    ['an incomplete set older than a complete one goes', ['20250101?', '20250201'], 1, ['20250101?']],
    ['of two pending sets only the newest stays', ['20250101', '20250201?', '20250301?'], 1, ['20250201?']],
    ['with nothing complete yet, the newest pending set stays', ['20250201?', '20250301?'], 1, ['20250201?']],
  ])('%s', (_what, versions, retention, dropped) => {
    const plan = planCleanup({ held: sets(noble, ...versions), offered: [noble.identity], selections: [selectNoble], retention });
    expect(names(plan.dropSets)).toEqual(dropped.map((v) => `ubuntu/noble ${v}`));
    expect(plan.dropImages).toEqual([]);
  });
});

describe('which images stay', () => {
  const held = [...sets(noble, '20250101'), ...sets(jammy, '20250101', '20250201'), ...sets(pxeI386, '1'), ...sets(pxeAmd64, '1')];

  it('an image no selection matches is removed, with all its sets', () => {
    const plan = planCleanup({ held, offered: [noble.identity, jammy.identity], selections: [selectNoble], retention: 1 });
    expect(ids(plan.dropImages)).toEqual(['ubuntu/jammy amd64/ga-22.04', 'pxelinux/pxe amd64/generic']);
    expect(plan.dropSets).toEqual([]);
  });

  it('an image that vanished from the source is kept while a selection matches it', () => {
    const plan = planCleanup({ held, offered: [noble.identity], selections: [selectNoble, selectJammy], retention: 1 });
    expect(ids(plan.dropImages)).toEqual(['pxelinux/pxe amd64/generic']);
    expect(names(plan.dropSets)).toEqual(['ubuntu/jammy 20250101']);
  });

  it('allow-listed bootloaders stay without any selection', () => {
    const plan = planCleanup({ held: sets(pxeI386, '1', '2'), offered: [pxeI386.identity], selections: [], retention: 1 });
    expect(plan.dropImages).toEqual([]);
    expect(names(plan.dropSets)).toEqual(['pxelinux/pxe 1']);
  });

  it('when nothing could be read (empty offer) nothing is dropped', () => {
    const plan = planCleanup({ held, offered: [], selections: [], retention: 1 });
    expect(plan).toEqual({ dropSets: [], dropImages: [] });
  });
});

describe('retention must keep something', () => {
  it.each([0, -1, 1.5, Number.NaN])('retention %s is refused', (retention) => {
    const run = () => planCleanup({ held: [], offered: [noble.identity], selections: [], retention });
    expect(run).toThrow(InvalidRetentionError);
    expect(run).toThrow(expect.objectContaining({ code: 'SELECT_INVALID_RETENTION', retention }));
  });
});
