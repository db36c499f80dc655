import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceProber } from '../src/source-prober.js';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';
import { createImportHarness, NOBLE_AMD64, type ImportHarness } from './import-harness.js';

let imports: ImportHarness;
let api: ApiHarness;

beforeAll(async () => {
  imports = await createImportHarness({ selections: [NOBLE_AMD64] });
  api = await startApi({ imports: imports.service, prober: sourceProber }, { repos: imports.repos });
});
afterAll(async () => {
  await api.close();
  await imports.close();
});

describe('boot-resources import ops against the real import service', () => {
  it('starts an import (text/plain), reports it, and lists the images it synced', async () => {
    const finished = imports.nextFinish();
    const started = await maasCall(api, 'POST', 'boot-resources/?op=import');
    expect(started.statusCode).toBe(200);
    expect(started.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(started.body).toBe('Import of boot resources started');
    await finished;

    const importing = await maasCall(api, 'GET', 'boot-resources/?op=is_importing');
    expect(importing.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(importing.body).toBe('false');

    const status = (await maasCall(api, 'GET', 'boot-resources/?op=import_status')).json() as {
      importing: boolean;
      runs: { outcome: string; bytes: number; started: string; finished: string; errors: unknown[] }[];
    };
    expect(status.importing).toBe(false);
    expect(status.runs[0]).toMatchObject({ outcome: 'succeeded', errors: [] });
    expect(status.runs[0]!.bytes).toBeGreaterThan(0);

    const resources = (await maasCall(api, 'GET', 'boot-resources/', [['type', 'synced']])).json() as {
      id: number;
      name: string;
      architecture: string;
      status: string;
      last_synced: string | null;
    }[];
    const noble = resources.filter((r) => r.name === 'ubuntu/noble');
    expect(noble.length).toBeGreaterThan(0);
    for (const r of noble) {
      expect(r.architecture).toMatch(/^amd64\//);
      expect(r).toMatchObject({ status: 'Synced' });
      expect(r.last_synced).not.toBeNull();
    }
    const one = (await maasCall(api, 'GET', `boot-resources/${noble[0]!.id}/`)).json() as {
      sets: Record<string, { complete: boolean; progress: number; files: Record<string, { complete: boolean }> }>;
    };
    const sets = Object.values(one.sets);
    expect(sets).toHaveLength(1);
    expect(sets[0]).toMatchObject({ complete: true, progress: 100 });
    expect(Object.values(sets[0]!.files).every((f) => f.complete)).toBe(true);
  });

  it('after a failed import of a new version, an image reads as the complete set it still serves, the failure in import_status', async () => {
    const added = await imports.mirror.addVersion('20250901');
    const squashfs = added.find((i) => i.ftype === 'squashfs' && i.path.startsWith('noble/amd64/'));
    imports.server.faults.set(`/${squashfs!.path}`, { corrupt: true });
    try {
      expect((await imports.importNow()).outcome).toMatch(/^(failed|partial)$/);
    } finally {
      imports.server.faults.clear();
    }
    const resources = (await maasCall(api, 'GET', 'boot-resources/')).json() as { id: number; name: string; status: string }[];
    const noble = resources.filter((r) => r.name === 'ubuntu/noble');
    expect(noble.length).toBeGreaterThan(0);
    for (const r of noble) {
      expect(r.status).toBe('Synced');
      // The new version's kernel and initrd were fetched: its set is there, incomplete, beside the one served.
      const one = (await maasCall(api, 'GET', `boot-resources/${r.id}/`)).json() as { status: string; sets: Record<string, { complete: boolean }> };
      expect(one.status).toBe('Synced');
      expect(one.sets['20250901']).toMatchObject({ complete: false });
      expect(Object.values(one.sets).some((set) => set.complete)).toBe(true);
    }
    const status = (await maasCall(api, 'GET', 'boot-resources/?op=import_status')).json() as { runs: { errors: { item: string; code: string }[] }[] };
    expect(status.runs[0]!.errors).toContainEqual(expect.objectContaining({ code: 'STORE_CHECKSUM_MISMATCH' }));
  });

  it('answers stop_import in MAAS words', async () => {
    const res = await maasCall(api, 'POST', 'boot-resources/?op=stop_import');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('Import of boot resources is being stopped');
    expect((await maasCall(api, 'GET', 'boot-resources/?op=is_importing')).body).toBe('false');
  });

  it('refuses import_status runs= out of range', async () => {
    const res = await maasCall(api, 'GET', 'boot-resources/?op=import_status', [['runs', '0']]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ runs: ['Ensure this value is between 1 and 100.'] });
  });
});
