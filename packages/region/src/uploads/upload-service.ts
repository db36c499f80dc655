import type { Logger } from '@bootsync/shared/logging';
import { ChecksumMismatchError, type ContentStore, type PartialFile, type StoredBlob } from '@bootsync/shared/store';
import { NotFoundError, ValidationError, type BootResource, type Repositories, type ResourceFile } from '../db/index.js';
import { publishedImages } from '../region-stream/index.js';
import { UploadChecksumError, UploadChunkRefusedError, UploadContentMismatchError } from './errors.js';
import type { UploadForm, UploadFormContext } from './upload-form.js';
import { nextVersionName, usableArchitectures } from './usable-architectures.js';

export interface UploadServiceDeps {
  readonly repos: Pick<Repositories, 'bootResources' | 'resourceSets' | 'sourceCache' | 'config'>;
  readonly store: ContentStore;
  readonly logger: Logger;
  /** An upload was published: racks should pull it now rather than at their next interval. */
  readonly onPublished?: () => void | Promise<void>;
  readonly now?: () => Date;
}

/** One PUT of a chunked upload, its body not read yet. */
export interface UploadChunk {
  readonly stream: AsyncIterable<Buffer>;
  /** Content-Length, as sent; MAAS refuses a chunk without one. */
  readonly length: number | undefined;
  /** `Content-Range: bytes START-END/TOTAL`, for a client that resumes: START must be where the upload stands. */
  readonly contentRange?: string | undefined;
}

/**
 * Custom images uploaded through `boot-resources create` (maasserver/api/boot_resources.py): the rows of an
 * uploaded resource with one set labelled `uploaded` and one file, its bytes received in chunks into a partial of
 * the content store (resumable by offset, never held whole in memory) and published only when size and sha256
 * match. A published upload replaces the resource's older sets and is offered to racks like any image.
 */
export class UploadService {
  constructor(private readonly deps: UploadServiceDeps) {}

  /** What the form checks an upload against, read now. */
  async formContext(): Promise<UploadFormContext> {
    const { repos } = this.deps;
    const { commissioning_osystem: os, commissioning_distro_series: series } = await repos.config.get();
    const baseImages = new Map<string, string>();
    for (const resource of await repos.bootResources.list({})) {
      const base = resource.extra.base_image;
      if (typeof base === 'string') baseImages.set(`${resource.name} ${resource.architecture}`, base);
    }
    return {
      usableArchitectures: usableArchitectures(await publishedImages(repos)),
      offered: await repos.sourceCache.list(),
      defaultBaseImage: `${os}/${series}`,
      existingBaseImage: (name, architecture) => baseImages.get(`${name} ${architecture}`),
    };
  }

  /**
   * The rows of a new upload (the first request of the CLI's chunked path): the file is complete at once when the
   * store already holds those bytes, and the CLI then uploads nothing.
   */
  async create(form: UploadForm & { readonly sha256: string; readonly size: number }): Promise<BootResource> {
    const storedSize = await this.deps.store.size(form.sha256);
    if (storedSize !== undefined && storedSize !== form.size) {
      throw new ValidationError('BootResource', {}, ['File already exists with sha256 that is of different size.']);
    }
    return this.#record(form, { sha256: form.sha256, size: form.size }, storedSize === form.size);
  }

  /** Where content posted whole goes while it arrives: hashed on the way, stored under the digest it has. */
  contentPartial(): Promise<PartialFile> {
    return this.deps.store.unaddressedPartial();
  }

  /** An upload whose content came whole in the create request, already verified into the store as `blob`. */
  async createStored(form: UploadForm, blob: StoredBlob): Promise<BootResource> {
    if (form.sha256 !== undefined && form.sha256 !== blob.sha256) {
      await this.#dropUnreferenced(blob.sha256);
      throw new UploadContentMismatchError('sha256', form.sha256, blob.sha256);
    }
    if (form.size !== undefined && form.size !== blob.size) {
      await this.#dropUnreferenced(blob.sha256);
      throw new UploadContentMismatchError('size', String(form.size), String(blob.size));
    }
    return this.#record(form, blob, true);
  }

  /**
   * Appends one chunk to the file's partial, with MAAS's checks and messages. When the last byte is in, the partial
   * is verified: published (and the set complete) on a match; dropped on a mismatch, which throws
   * UploadChecksumError naming both digests. Bytes of a chunk cut short stay in the partial: the upload resumes there.
   */
  async receive(resourceId: number, fileId: number, chunk: UploadChunk): Promise<void> {
    const { repos, store } = this.deps;
    const resource = await repos.bootResources.get(resourceId);
    const file = await repos.resourceSets.findFile(fileId);
    const set = file && (await repos.resourceSets.find(file.setId));
    if (!file || !set || set.resourceId !== resource.id) throw new NotFoundError('BootResourceFile', fileId);
    const length = chunk.length ?? 0;
    if (length === 0) throw new UploadChunkRefusedError('Missing data.');
    if (resource.rtype !== 'uploaded') throw new UploadChunkRefusedError(`Cannot upload to a resource of type: ${resource.rtype}.`, true);
    if (file.bytesDone >= file.size) throw new UploadChunkRefusedError('Cannot upload to a complete file.');

    const partial = await store.partial({ checksums: { sha256: file.sha256 }, size: file.size, source: imageLabel(resource) });
    let received = 0;
    try {
      const start = rangeStart(chunk.contentRange);
      if (start !== undefined && start !== partial.offset) {
        throw new UploadChunkRefusedError(`This upload stands at byte ${partial.offset}; send the chunk that starts there (Content-Range started at ${start}).`);
      }
      if (partial.offset + length > file.size) throw new UploadChunkRefusedError('Too much data received.');
      for await (const data of chunk.stream) {
        received += data.length;
        if (received > length) break;
        await partial.push(data);
      }
    } catch (err) {
      await partial.close();
      await this.#progress(file, partial.offset);
      throw err;
    }
    if (received !== length) {
      await partial.close();
      await this.#progress(file, partial.offset);
      throw new UploadChunkRefusedError("Content-Length doesn't equal size of received data.");
    }
    if (partial.offset < file.size) {
      await partial.close();
      await this.#progress(file, partial.offset);
      return;
    }
    try {
      await partial.finalize();
    } catch (err) {
      await this.#progress(file, 0);
      if (err instanceof ChecksumMismatchError) throw new UploadChecksumError(imageLabel(resource), err.expected, err.actual);
      throw err;
    }
    await this.#progress(file, file.size);
    await this.#publish(resource, set.id);
  }

  /** Deletes an uploaded resource with its rows, and the blobs no other image uses. */
  async delete(resourceId: number): Promise<void> {
    const { repos } = this.deps;
    const resource = await repos.bootResources.get(resourceId);
    const blobs = (await repos.resourceSets.listForResource(resourceId)).flatMap((s) => s.files.map((f) => f.sha256));
    await repos.bootResources.delete(resourceId);
    if (resource.rtype !== 'uploaded') return;
    for (const sha256 of new Set(blobs)) await this.#dropUnreferenced(sha256);
    this.deps.logger.info({ event: 'upload.deleted', image: imageLabel(resource) });
  }

  async #record(form: UploadForm, content: { sha256: string; size: number }, complete: boolean): Promise<BootResource> {
    const { repos } = this.deps;
    const existing = await repos.bootResources.findByName(form.name, form.architecture);
    // A synced image of that name and architecture is the import's: an upload must not take it over.
    if (existing && existing.rtype !== 'uploaded') throw new ValidationError('BootResource', { name: [`${form.name} is a reserved name`] });
    const resource = await repos.bootResources.upsert({
      rtype: 'uploaded',
      name: form.name,
      architecture: form.architecture,
      extra: {
        subarches: form.architecture.split('/')[1] ?? '',
        title: form.title,
        ...(form.baseImage !== '' && { base_image: form.baseImage }),
      },
    });
    const versions = (await repos.resourceSets.listForResource(resource.id)).map((s) => s.version);
    const set = await repos.resourceSets.create(resource.id, {
      version: nextVersionName(versions, this.deps.now?.() ?? new Date()),
      label: 'uploaded',
      files: [{ filename: form.filetype, filetype: form.filetype, sha256: content.sha256, size: content.size, bytesDone: complete ? content.size : 0 }],
    });
    this.deps.logger.info({ event: 'upload.created', image: imageLabel(resource), version: set.version, sha256: content.sha256, bytes: content.size });
    if (complete) await this.#publish(resource, set.id);
    return await repos.bootResources.get(resource.id);
  }

  async #publish(resource: BootResource, setId: number): Promise<void> {
    const { repos } = this.deps;
    const set = await repos.resourceSets.markComplete(setId);
    // MAAS deletes an upload's older files (LP:1660418) when the new one is created; here the older set stays
    // usable until its successor is complete.
    await repos.resourceSets.deleteOthers(resource.id, setId);
    this.deps.logger.info({ event: 'upload.published', image: imageLabel(resource), version: set.version, bytes: set.size });
    await this.deps.onPublished?.();
  }

  async #progress(file: ResourceFile, bytes: number): Promise<void> {
    await this.deps.repos.resourceSets.setFileProgress(file.id, bytes);
  }

  async #dropUnreferenced(sha256: string): Promise<void> {
    if (!(await this.deps.repos.resourceSets.referencedSha256()).has(sha256)) await this.deps.store.remove(sha256);
  }
}

function imageLabel(resource: BootResource): string {
  return `${resource.name} ${resource.architecture}`;
}

/** START of `Content-Range: bytes START-END/TOTAL`; undefined without the header. */
function rangeStart(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s+(\d+)-\d+\/(?:\d+|\*)\s*$/i.exec(header);
  if (!m) throw new UploadChunkRefusedError(`Content-Range must read 'bytes START-END/TOTAL', not '${header}'.`);
  return Number(m[1]);
}
