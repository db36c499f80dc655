import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrivateKey } from 'openpgp';
import {
  compareBytes,
  compareItemRefs,
  type ItemRef,
  type ProductsDocumentInput,
  type StreamProductInput,
  type StreamVersionInput,
} from '@bootsync/shared/streams';
import { generateTestKey } from './keys.js';
import { writeFileIn, writeStreamMetadata } from './metadata.js';
import { writeArchive, writePayload, type FileDigest } from './payload.js';
import { planCatalogs, ubuntuItems, contentIds, type CatalogPlan, type ItemPlan } from './plan.js';
import { resolveSpec, type MirrorSpec, type ResolvedSpec } from './spec.js';

export interface GeneratedItem {
  readonly ref: ItemRef;
  readonly ftype: string;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** A payload file; shared squashfs files are listed once with every item that points at them. */
export interface GeneratedFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly refs: readonly ItemRef[];
}

export interface GeneratedMirror {
  /** The mirror root: `streams/v1/index.sjson` is under it. */
  readonly root: string;
  /** The public key, as a binary keyring (what MAAS's `keyring_filename` holds) and armored. */
  readonly keyring: { readonly binary: string; readonly armored: string };
  readonly privateKey: PrivateKey;
  readonly keyId: string;
  readonly contentIds: { readonly ubuntu: string; readonly bootloaders: string; readonly centos: string };
  /** Items as the stream lists them now, sorted by content id, product, version, item. */
  readonly items: readonly GeneratedItem[];
  readonly files: readonly GeneratedFile[];
  /** "A new version upstream": a new serial for every Ubuntu product, payloads written, metadata re-signed. */
  addVersion(serial?: string): Promise<GeneratedItem[]>;
  /** "A vanished product": drops it from its products file and the index, re-signed; payloads stay on disk. */
  removeProduct(product: string): Promise<void>;
  /** Flips the first byte of a payload; the stream still announces the old sha256 and size. */
  corruptFile(path: string): Promise<void>;
  /** "A bad signature": changes a checksum inside the signed text of a products file (`.sjson` and `.json`) without re-signing. */
  tamperSignedContent(contentId?: string): Promise<void>;
  /** Rewrites and re-signs all metadata, with another key if given (the keyring files keep the original key). */
  resign(privateKey?: PrivateKey): Promise<void>;
}

/**
 * Writes a MAAS-v3-shaped signed mirror under `dir/mirror` (payloads, `.json`, `.json.gpg`, `.sjson`) and the
 * throwaway public key under `dir/keyring.{gpg,asc}`; `dir` is created if need be.
 */
export async function createSignedMirror(dir: string, spec: MirrorSpec = {}): Promise<GeneratedMirror> {
  const resolved = resolveSpec(spec);
  await mkdir(dir, { recursive: true });
  const key = await generateTestKey();
  const keyring = { binary: join(dir, 'keyring.gpg'), armored: join(dir, 'keyring.asc') };
  await writeFile(keyring.binary, key.publicKey.write());
  await writeFile(keyring.armored, key.publicKey.armor());
  const mirror = new SignedMirror(join(dir, 'mirror'), resolved, planCatalogs(resolved), key.privateKey);
  await mirror.writeAll();
  return Object.assign(mirror, { keyring, keyId: key.keyId });
}

class SignedMirror {
  readonly contentIds: GeneratedMirror['contentIds'];
  items: GeneratedItem[] = [];
  files: GeneratedFile[] = [];
  readonly #digests = new Map<string, FileDigest>();

  constructor(
    readonly root: string,
    readonly spec: ResolvedSpec,
    readonly catalogs: CatalogPlan[],
    readonly privateKey: PrivateKey,
  ) {
    this.contentIds = contentIds(spec.label);
  }

  async writeAll(): Promise<void> {
    for (const plan of this.catalogs) await this.#writePayloads(plan);
    await this.resign();
  }

  async addVersion(serial?: string): Promise<GeneratedItem[]> {
    const ubuntu = this.catalogs.find((c) => c.contentId === this.contentIds.ubuntu)!;
    const newSerial = serial ?? nextSerial(Object.values(ubuntu.products).flatMap((p) => Object.keys(p.versions)));
    for (const product of Object.values(ubuntu.products)) {
      const rel = this.spec.releases.find((r) => r.release === product.fields.release)!;
      product.versions[newSerial] = ubuntuItems(rel, String(product.fields.arch), String(product.fields.subarch), newSerial);
    }
    await this.#writePayloads(ubuntu);
    await this.resign();
    return this.items.filter((i) => i.ref.contentId === ubuntu.contentId && i.ref.version === newSerial);
  }

  async removeProduct(product: string): Promise<void> {
    const plan = this.catalogs.find((c) => product in c.products);
    if (!plan) throw new Error(`no product ${product} in the generated mirror`);
    delete plan.products[product];
    await this.resign();
  }

  async corruptFile(path: string): Promise<void> {
    const file = join(this.root, ...path.split('/'));
    const bytes = await readFile(file);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
  }

  async tamperSignedContent(contentId = this.contentIds.ubuntu): Promise<void> {
    for (const suffix of ['sjson', 'json']) {
      const rel = `streams/v1/${contentId}.${suffix}`;
      const text = await readFile(join(this.root, ...rel.split('/')), 'utf8');
      // Change one hex digit of the first sha256: a real change of meaning, not whitespace.
      const tampered = text.replace(/("sha256": ")(.)/, (_m, head: string, c: string) => head + (c === '0' ? '1' : '0'));
      await writeFileIn(this.root, rel, tampered);
    }
  }

  async resign(privateKey: PrivateKey = this.privateKey): Promise<void> {
    const inputs = this.catalogs.map((plan) => this.#documentInput(plan));
    await writeStreamMetadata(this.root, inputs, this.spec.updated, privateKey);
    this.#listItems();
  }

  async #writePayloads(plan: CatalogPlan): Promise<void> {
    for (const item of allItems(plan)) {
      if (this.#digests.has(item.plan.path)) continue;
      const file = join(this.root, ...item.plan.path.split('/'));
      const size = this.spec.sizes[item.plan.ftype];
      const digest = item.plan.archiveMembers
        ? await writeArchive(file, item.plan.path, item.plan.archiveMembers, size)
        : await writePayload(file, item.plan.path, size);
      this.#digests.set(item.plan.path, digest);
    }
  }

  #documentInput(plan: CatalogPlan): ProductsDocumentInput {
    const products: Record<string, StreamProductInput> = {};
    for (const [name, product] of Object.entries(plan.products)) {
      const versions: Record<string, StreamVersionInput> = {};
      for (const [serial, items] of Object.entries(product.versions)) {
        const out: Record<string, StreamVersionInput['items'][string]> = {};
        for (const [itemName, item] of Object.entries(items)) {
          out[itemName] = { ...item.fields, ftype: item.ftype, path: item.path, ...this.#digest(item.path) };
        }
        versions[serial] = { items: out };
      }
      products[name] = { fields: product.fields, versions };
    }
    return { contentId: plan.contentId, updated: this.spec.updated, products };
  }

  #digest(path: string): FileDigest {
    const digest = this.#digests.get(path);
    if (!digest) throw new Error(`payload ${path} was never written`);
    return digest;
  }

  #listItems(): void {
    const items = this.catalogs.flatMap((plan) =>
      allItems(plan).map(({ ref, plan: item }) => ({ ref, ftype: item.ftype, path: item.path, ...this.#digest(item.path) })),
    );
    items.sort((a, b) => compareItemRefs(a.ref, b.ref));
    const files = new Map<string, GeneratedFile & { refs: ItemRef[] }>();
    for (const item of items) {
      const file = files.get(item.path) ?? { path: item.path, sha256: item.sha256, size: item.size, refs: [] };
      file.refs.push(item.ref);
      files.set(item.path, file);
    }
    this.items = items;
    this.files = [...files.values()].sort((a, b) => compareBytes(a.path, b.path));
  }
}

function allItems(plan: CatalogPlan): { ref: ItemRef; plan: ItemPlan }[] {
  return Object.entries(plan.products).flatMap(([product, p]) =>
    Object.entries(p.versions).flatMap(([version, items]) =>
      Object.entries(items).map(([item, itemPlan]) => ({
        ref: { contentId: plan.contentId, product, version, item },
        plan: itemPlan,
      })),
    ),
  );
}

/** The day after the newest `YYYYMMDD` serial. */
function nextSerial(serials: readonly string[]): string {
  const newest = [...serials].sort(compareBytes).at(-1) ?? '20250101';
  const day = new Date(`${newest.slice(0, 4)}-${newest.slice(4, 6)}-${newest.slice(6, 8)}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10).replace(/-/g, '');
}
