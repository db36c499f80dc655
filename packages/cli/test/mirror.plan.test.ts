import { describe, expect, it } from 'vitest';
import type { ProductItem } from '@bootsync/shared/streams';
import { MirrorPathConflictError } from '../src/mirror/errors.js';
import { EMPTY_STATE, mirrorFiles, planMirror, stateAfter, stateDuring } from '../src/mirror/mirror-plan.js';

const sha = (c: string): string => c.repeat(64);

function item(product: string, name: string, path: string, size: number, sha256: string): ProductItem {
  return {
    ref: { contentId: 'c', product, version: 'v1', item: name },
    fields: {},
    ftype: name,
    path,
    size,
    checksums: { sha256 },
  };
}

const noReserved = (): undefined => undefined;

describe('mirrorFiles: the files of the selected items', () => {
  it('makes one file of items that share a path and content (the squashfs of ga and hwe)', () => {
    const files = mirrorFiles(
      [item('ga', 'squashfs', 'noble/squashfs', 10, sha('a')), item('hwe', 'squashfs', 'noble/squashfs', 10, sha('a')), item('ga', 'kernel', 'noble/ga/kernel', 5, sha('b'))],
      noReserved,
    );
    expect(files.map((f) => [f.path, f.key, f.refs.map((r) => r.product)])).toEqual([
      ['noble/squashfs', `sha256-${sha('a')}`, ['ga', 'hwe']],
      ['noble/ga/kernel', `sha256-${sha('b')}`, ['ga']],
    ]);
  });

  it('refuses two items at one path with different content, naming both', () => {
    const run = (): unknown => mirrorFiles([item('ga', 'squashfs', 'x', 10, sha('a')), item('hwe', 'squashfs', 'x', 10, sha('b'))], noReserved);
    expect(run).toThrow(MirrorPathConflictError);
    expect(run).toThrow('cannot mirror x: items ga v1 squashfs and hwe v1 squashfs give it different content');
  });

  it('refuses an item at a reserved path (a document, the mirror state)', () => {
    const run = (): unknown => mirrorFiles([item('p', 'i', 'streams/v1/index.sjson', 1, sha('a'))], (p) => (p.startsWith('streams/') ? `the document ${p}` : undefined));
    expect(run).toThrow('item p v1 i would overwrite the document streams/v1/index.sjson');
  });
});

describe('planMirror: what a run fetches, verifies, keeps and removes', () => {
  const [kept, changed, fresh, adopted] = mirrorFiles(
    [item('p', 'kept', 'a/kept', 1, sha('1')), item('p', 'changed', 'a/changed', 2, sha('2')), item('p', 'new', 'a/new', 3, sha('3')), item('p', 'old-tool', 'a/adopted', 4, sha('4'))],
    noReserved,
  );
  const state = {
    files: {
      'a/kept': { size: 1, key: `sha256-${sha('1')}` },
      'a/changed': { size: 2, key: `sha256-${sha('9')}` },
      'a/gone': { size: 7, key: `sha256-${sha('7')}` },
    },
    documents: ['streams/v1/index.sjson'],
  };

  it('keeps a known file whose size on disk is right, verifies an unknown one already there, fetches the rest', () => {
    const onDisk = new Map([['a/kept', 1], ['a/changed', 2], ['a/adopted', 4], ['a/gone', 7]]);
    const plan = planMirror([kept!, changed!, fresh!, adopted!], state, onDisk);
    expect(plan.current.map((f) => f.path)).toEqual(['a/kept']);
    // Known under another checksum: what is there is verified against the new one, and fetched if it fails.
    expect(plan.adopt.map((f) => f.path)).toEqual(['a/changed', 'a/adopted']);
    expect(plan.fetch.map((f) => f.path)).toEqual(['a/new']);
    expect(plan.remove).toEqual([{ path: 'a/gone', size: 7 }]);
  });

  it('fetches a known file that is missing or truncated on disk', () => {
    const plan = planMirror([kept!], state, new Map([['a/kept', 0]]));
    expect(plan.fetch.map((f) => f.path)).toEqual(['a/kept']);
    expect(planMirror([kept!], EMPTY_STATE, new Map()).fetch.map((f) => f.path)).toEqual(['a/kept']);
  });

  it('remembers during a run what was there and what is coming, and after it only what is wanted', () => {
    expect(Object.keys(stateDuring(state, [fresh!]).files).sort()).toEqual(['a/changed', 'a/gone', 'a/kept', 'a/new']);
    expect(stateAfter([kept!, fresh!], ['streams/v1/index.sjson'])).toEqual({
      files: { 'a/kept': { size: 1, key: `sha256-${sha('1')}` }, 'a/new': { size: 3, key: `sha256-${sha('3')}` } },
      documents: ['streams/v1/index.sjson'],
    });
  });
});
