import type { Db } from './connection.js';
import { FieldErrorCollector, NotFoundError, ValidationError } from './errors.js';
import { isUniqueViolation, nowIso, parseJson, toBool } from './rows.js';
import type { NewResourceFile, ResourceFile, ResourceSet, ResourceSetWithFiles } from './types.js';

interface SetRow {
  id: number;
  resource_id: number;
  version: string;
  label: string;
  complete: number;
  damaged: number;
  created: string;
  updated: string;
}

interface FileRow {
  id: number;
  set_id: number;
  filename: string;
  filetype: string;
  sha256: string;
  size: number;
  bytes_done: number;
  extra: string;
}

function toSet(r: SetRow): ResourceSet {
  return {
    id: r.id,
    resourceId: r.resource_id,
    version: r.version,
    label: r.label,
    complete: toBool(r.complete),
    damaged: toBool(r.damaged),
    created: r.created,
    updated: r.updated,
  };
}

function toFile(r: FileRow): ResourceFile {
  return {
    id: r.id,
    setId: r.set_id,
    filename: r.filename,
    filetype: r.filetype,
    sha256: r.sha256,
    size: r.size,
    bytesDone: r.bytes_done,
    extra: parseJson<Record<string, unknown>>(r.extra),
  };
}

function validateFiles(files: readonly NewResourceFile[]): void {
  const errors = new FieldErrorCollector();
  const names = new Set<string>();
  for (const f of files) {
    if (f.filename === '' || f.filename.includes('/') || f.filename === '..') errors.add('filename', `Invalid file name: ${f.filename}`);
    if (names.has(f.filename)) errors.add('filename', `Duplicate file name: ${f.filename}`);
    names.add(f.filename);
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) errors.add('sha256', `Invalid sha256 for ${f.filename}: ${f.sha256}`);
    if (!Number.isSafeInteger(f.size) || f.size < 0) errors.add('size', `Invalid size for ${f.filename}: ${f.size}`);
  }
  errors.throwIfAny('BootResourceFile');
}

/** Resource sets (one version of an image) and their files, with download progress. */
export class ResourceSetRepository {
  constructor(private readonly db: Db) {}

  /**
   * Sets of a resource, newest first, with their files and progress sums. Two queries however many sets: every
   * `boot-resources read` (the Images page polls it each second) calls this once per image.
   */
  listForResource(resourceId: number): ResourceSetWithFiles[] {
    const rows = this.db
      .prepare('SELECT * FROM resource_sets WHERE resource_id = ? ORDER BY id DESC')
      .all(resourceId) as SetRow[];
    const files = this.db
      .prepare(
        `SELECT f.* FROM resource_files f JOIN resource_sets s ON s.id = f.set_id WHERE s.resource_id = ?
         ORDER BY f.filename`,
      )
      .all(resourceId) as FileRow[];
    const bySet = new Map<number, ResourceFile[]>();
    for (const f of files.map(toFile)) bySet.set(f.setId, [...(bySet.get(f.setId) ?? []), f]);
    return rows.map((r) => withSums(toSet(r), bySet.get(r.id) ?? []));
  }

  find(id: number): ResourceSetWithFiles | undefined {
    const row = this.db.prepare('SELECT * FROM resource_sets WHERE id = ?').get(id) as SetRow | undefined;
    return row && this.withFiles(toSet(row));
  }

  get(id: number): ResourceSetWithFiles {
    const found = this.find(id);
    if (!found) throw new NotFoundError('BootResourceSet', id);
    return found;
  }

  findByVersion(resourceId: number, version: string): ResourceSetWithFiles | undefined {
    const row = this.db
      .prepare('SELECT * FROM resource_sets WHERE resource_id = ? AND version = ?')
      .get(resourceId, version) as SetRow | undefined;
    return row && this.withFiles(toSet(row));
  }

  /** Creates an incomplete set with its files in one transaction. */
  create(resourceId: number, input: { version: string; label: string; files: readonly NewResourceFile[] }): ResourceSetWithFiles {
    validateFiles(input.files);
    const now = nowIso();
    const insertFile = this.db.prepare(
      `INSERT INTO resource_files (set_id, filename, filetype, sha256, size, bytes_done, extra) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    try {
      const id = this.db.transaction(() => {
        const { lastInsertRowid } = this.db
          .prepare('INSERT INTO resource_sets (resource_id, version, label, complete, created, updated) VALUES (?, ?, ?, 0, ?, ?)')
          .run(resourceId, input.version, input.label, now, now);
        for (const f of input.files) {
          insertFile.run(lastInsertRowid, f.filename, f.filetype, f.sha256, f.size, f.bytesDone ?? 0, JSON.stringify(f.extra ?? {}));
        }
        return Number(lastInsertRowid);
      })();
      return this.get(id);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ValidationError('BootResourceSet', { version: [`Version ${input.version} already exists for resource ${resourceId}.`] });
      }
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new NotFoundError('BootResource', resourceId);
      throw err;
    }
  }

  /** Records verified bytes of a file (progress); `size` once the file is verified. */
  setFileProgress(fileId: number, bytesDone: number): void {
    const { changes } = this.db
      .prepare('UPDATE resource_files SET bytes_done = min(?, size) WHERE id = ?')
      .run(Math.max(0, Math.floor(bytesDone)), fileId);
    if (changes === 0) throw new NotFoundError('BootResourceFile', fileId);
  }

  /** Marks a set complete (and no longer damaged); refused unless every file reports all its bytes verified. */
  markComplete(setId: number): ResourceSetWithFiles {
    const set = this.get(setId);
    const unfinished = set.files.filter((f) => f.bytesDone < f.size).map((f) => f.filename);
    if (unfinished.length > 0) {
      throw new ValidationError('BootResourceSet', {}, [`Files not yet verified: ${unfinished.join(', ')}`]);
    }
    this.db.prepare('UPDATE resource_sets SET complete = 1, damaged = 0, updated = ? WHERE id = ?').run(nowIso(), setId);
    return this.get(setId);
  }

  /**
   * A blob is gone or its bytes changed: every file row with that sha256 goes back to unverified, and the sets that
   * were complete become damaged (incomplete, still offered until repaired). Their `updated` stays, so the region
   * stream's documents do not change. Returns the ids of the sets that hold the blob.
   */
  markBlobDamaged(sha256: string): number[] {
    return this.db.transaction(() => {
      const ids = (this.db.prepare('SELECT DISTINCT set_id FROM resource_files WHERE sha256 = ? ORDER BY set_id').all(sha256) as { set_id: number }[]).map(
        (r) => r.set_id,
      );
      this.db.prepare('UPDATE resource_files SET bytes_done = 0 WHERE sha256 = ?').run(sha256);
      this.db
        .prepare('UPDATE resource_sets SET damaged = 1, complete = 0 WHERE complete = 1 AND id IN (SELECT set_id FROM resource_files WHERE sha256 = ?)')
        .run(sha256);
      return ids;
    })();
  }

  /** The blobs of damaged sets still to be fetched again. */
  damagedSha256(): Set<string> {
    const rows = this.db
      .prepare('SELECT DISTINCT f.sha256 FROM resource_files f JOIN resource_sets s ON s.id = f.set_id WHERE s.damaged = 1 AND f.bytes_done < f.size')
      .all() as { sha256: string }[];
    return new Set(rows.map((r) => r.sha256));
  }

  delete(setId: number): void {
    const { changes } = this.db.prepare('DELETE FROM resource_sets WHERE id = ?').run(setId);
    if (changes === 0) throw new NotFoundError('BootResourceSet', setId);
  }

  /** One file row by id, with the set it belongs to. */
  findFile(fileId: number): ResourceFile | undefined {
    const row = this.db.prepare('SELECT * FROM resource_files WHERE id = ?').get(fileId) as FileRow | undefined;
    return row && toFile(row);
  }

  /** Deletes every set of the resource but `keepSetId` (an upload replaces the image it had). */
  deleteOthers(resourceId: number, keepSetId: number): number {
    return this.db.prepare('DELETE FROM resource_sets WHERE resource_id = ? AND id != ?').run(resourceId, keepSetId).changes;
  }

  /** Every sha256 a file row references: the blobs the store must keep. */
  referencedSha256(): Set<string> {
    const rows = this.db.prepare('SELECT DISTINCT sha256 FROM resource_files').all() as { sha256: string }[];
    return new Set(rows.map((r) => r.sha256));
  }

  private withFiles(set: ResourceSet): ResourceSetWithFiles {
    const files = (this.db.prepare('SELECT * FROM resource_files WHERE set_id = ? ORDER BY filename').all(set.id) as FileRow[]).map(toFile);
    return withSums(set, files);
  }
}

function withSums(set: ResourceSet, files: readonly ResourceFile[]): ResourceSetWithFiles {
  return {
    ...set,
    files,
    size: files.reduce((n, f) => n + f.size, 0),
    bytesDone: files.reduce((n, f) => n + f.bytesDone, 0),
  };
}
