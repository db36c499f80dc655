import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Downloader } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { timed, peakRssMb } from './lib/machine.js';
import { startStaticServer } from './lib/nginx.js';

const MiB = 2 ** 20;
const work = await mkdtemp('/tmp/h4b/cmp-');
const mirror = await createSignedMirror(work, { arches: ['amd64'], versions: ['20250718'], bootloaders: false, centos: false, sizes: { squashfs: 64 * MiB, 'boot-kernel': 16 * MiB, 'boot-initrd': 32 * MiB, manifest: 65536 } });
const server = await startStaticServer(mirror.root, work);
for (let run = 0; run < 3; run++) {
  for (const mode of ['one-call', 'per-file']) {
    const store = new ContentStore({ root: path.join(work, `s-${run}-${mode}`) });
    const d = new Downloader({ store, concurrency: 4 });
    const reqs = mirror.files.map((f) => ({ url: `${server.url}/${f.path}`, size: f.size, checksums: { sha256: f.sha256 } }));
    const { ms } = await timed(async () => {
      if (mode === 'one-call') await d.download(reqs);
      else {
        let next = 0;
        await Promise.all([0, 1, 2, 3].map(async () => { for (let i = next++; i < reqs.length; i = next++) await d.download([reqs[i]!]); }));
      }
    });
    await d.close();
    console.log(mode, Math.round(ms), 'ms', Math.round(mirror.files.reduce((n, f) => n + f.size, 0) / 1e6 / (ms / 1000)), 'MB/s');
    await rm(path.join(work, `s-${run}-${mode}`), { recursive: true });
  }
}
console.log('rss', peakRssMb());
await server.close();
await rm(work, { recursive: true });
