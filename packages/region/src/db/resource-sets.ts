import { sql, type Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { FieldErrorCollector, isForeignKeyViolation, isUniqueViolation, NotFoundError, ValidationError } from './errors.js';
import { nowIso, parseJson, toBool } from './rows.js';
import type { ResourceFilesTable, ResourceSetsTable } from './schema.js';
import { inTransaction } from './transactions.js';
import type { NewResourceFile, ResourceFile, ResourceSet, ResourceSetWithFiles } from './types.js';

function toSet(r: Selectable<ResourceSetsTable>): ResourceSet {
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

function toFile(r: Selectable<ResourceFilesTable>): ResourceFile {
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

/** Rows per INSERT of a set's files: 7 columns each. */
const INSERT_BATCH = 500;

/** Resource sets (one version of an image) and their files, with download progress. */
export class ResourceSetRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Sets of a resource, newest first, with their files and progress sums: two queries however many sets, read as
   * one state of the database (a set is never seen without the files written with it).
   */
  async listForResource(resourceId: number): Promise<ResourceSetWithFiles[]> {
    return inTransaction(
      this.db,
      async (trx) => {
        const rows = await trx.kysely.selectFrom('resource_sets').selectAll().where('resource_id', '=', resourceId).orderBy('id', 'desc').execute();
        const files = await trx.kysely
          .selectFrom('resource_files as f')
          .innerJoin('resource_sets as s', 's.id', 'f.set_id')
          .selectAll('f')
          .where('s.resource_id', '=', resourceId)
          .orderBy('f.filename')
          .execute();
        return withTheirFiles(rows, files);
      },
      { snapshot: true },
    );
  }

  /**
   * The sets of every resource by resource id, as `listForResource` gives them, in two queries: what a listing of
   * every image reads (`boot-resources read`, which the Images page polls each second, the region stream, the
   * import's plan), rather than two queries per image.
   */
  async listByResource(): Promise<Map<number, ResourceSetWithFiles[]>> {
    const sets = await inTransaction(
      this.db,
      async (trx) => {
        const rows = await trx.kysely.selectFrom('resource_sets').selectAll().orderBy('id', 'desc').execute();
        const files = await trx.kysely.selectFrom('resource_files').selectAll().orderBy('filename').execute();
        return withTheirFiles(rows, files);
      },
      { snapshot: true },
    );
    const byResource = new Map<number, ResourceSetWithFiles[]>();
    for (const set of sets) {
      const list = byResource.get(set.resourceId);
      if (list) list.push(set);
      else byResource.set(set.resourceId, [set]);
    }
    return byResource;
  }

  async find(id: number): Promise<ResourceSetWithFiles | undefined> {
    const row = await this.db.kysely.selectFrom('resource_sets').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.withFiles(toSet(row));
  }

  async get(id: number): Promise<ResourceSetWithFiles> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('BootResourceSet', id);
    return found;
  }

  async findByVersion(resourceId: number, version: string): Promise<ResourceSetWithFiles | undefined> {
    const row = await this.db.kysely
      .selectFrom('resource_sets')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && this.withFiles(toSet(row));
  }

  /** Creates an incomplete set with its files in one transaction. */
  async create(resourceId: number, input: { version: string; label: string; files: readonly NewResourceFile[] }): Promise<ResourceSetWithFiles> {
    validateFiles(input.files);
    const now = nowIso();
    try {
      return await inTransaction(this.db, async (trx) => {
        const set = await trx.kysely
          .insertInto('resource_sets')
          .values({ resource_id: resourceId, version: input.version, label: input.label, complete: 0, created: now, updated: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        const rows = input.files.map((f) => ({
          set_id: set.id,
          filename: f.filename,
          filetype: f.filetype,
          sha256: f.sha256,
          size: f.size,
          bytes_done: f.bytesDone ?? 0,
          extra: JSON.stringify(f.extra ?? {}),
        }));
        for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx.kysely.insertInto('resource_files').values(rows.slice(i, i + INSERT_BATCH)).execute();
        return new ResourceSetRepository(trx).get(set.id);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ValidationError('BootResourceSet', { version: [`Version ${input.version} already exists for resource ${resourceId}.`] });
      }
      if (isForeignKeyViolation(err)) throw new NotFoundError('BootResource', resourceId);
      throw err;
    }
  }

  /** Records verified bytes of a file (progress); `size` once the file is verified. */
  async setFileProgress(fileId: number, bytesDone: number): Promise<void> {
    const bytes = Math.max(0, Math.floor(bytesDone));
    const { numUpdatedRows } = await this.db.kysely
      .updateTable('resource_files')
      .set({ bytes_done: sql<number>`CASE WHEN size < ${bytes} THEN size ELSE ${bytes} END` })
      .where('id', '=', fileId)
      .executeTakeFirst();
    if (numUpdatedRows === 0n) throw new NotFoundError('BootResourceFile', fileId);
  }

  /** Marks a set complete (and no longer damaged); refused unless every file reports all its bytes verified. */
  async markComplete(setId: number): Promise<ResourceSetWithFiles> {
    const set = await this.get(setId);
    const unfinished = set.files.filter((f) => f.bytesDone < f.size).map((f) => f.filename);
    if (unfinished.length > 0) {
      throw new ValidationError('BootResourceSet', {}, [`Files not yet verified: ${unfinished.join(', ')}`]);
    }
    const updated = await this.db.kysely
      .updateTable('resource_sets')
      .set({ complete: 1, damaged: 0, updated: nowIso() })
      .where('id', '=', setId)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new NotFoundError('BootResourceSet', setId);
    return withSums(toSet(updated), set.files);
  }

  /**
   * A blob is gone or its bytes changed: every file row with that sha256 goes back to unverified, and the sets that
   * were complete become damaged (incomplete, still offered until repaired). Their `updated` stays, so the region
   * stream's documents do not change. Returns the ids of the sets that hold the blob.
   */
  async markBlobDamaged(sha256: string): Promise<number[]> {
    return inTransaction(this.db, async (trx) => {
      const rows = await trx.kysely.selectFrom('resource_files').select('set_id').distinct().where('sha256', '=', sha256).orderBy('set_id').execute();
      await trx.kysely.updateTable('resource_files').set({ bytes_done: 0 }).where('sha256', '=', sha256).execute();
      await trx.kysely
        .updateTable('resource_sets')
        .set({ damaged: 1, complete: 0 })
        .where('complete', '=', 1)
        .where('id', 'in', (eb) => eb.selectFrom('resource_files').select('set_id').where('sha256', '=', sha256))
        .execute();
      return rows.map((r) => r.set_id);
    });
  }

  /** The blobs of damaged sets still to be fetched again. */
  async damagedSha256(): Promise<Set<string>> {
    const rows = await this.db.kysely
      .selectFrom('resource_files as f')
      .innerJoin('resource_sets as s', 's.id', 'f.set_id')
      .select('f.sha256')
      .distinct()
      .where('s.damaged', '=', 1)
      .whereRef('f.bytes_done', '<', 'f.size')
      .execute();
    return new Set(rows.map((r) => r.sha256));
  }

  async delete(setId: number): Promise<void> {
    const { numDeletedRows } = await this.db.kysely.deleteFrom('resource_sets').where('id', '=', setId).executeTakeFirst();
    if (numDeletedRows === 0n) throw new NotFoundError('BootResourceSet', setId);
  }

  /** One file row by id, with the set it belongs to. */
  async findFile(fileId: number): Promise<ResourceFile | undefined> {
    const row = await this.db.kysely.selectFrom('resource_files').selectAll().where('id', '=', fileId).executeTakeFirst();
    return row && toFile(row);
  }

  /** Deletes every set of the resource but `keepSetId` (an upload replaces the image it had). */
  async deleteOthers(resourceId: number, keepSetId: number): Promise<number> {
    const { numDeletedRows } = await this.db.kysely.deleteFrom('resource_sets').where('resource_id', '=', resourceId).where('id', '!=', keepSetId).executeTakeFirst();
    return Number(numDeletedRows);
  }

  /** Every sha256 a file row references: the blobs the store must keep. */
  async referencedSha256(): Promise<Set<string>> {
    const rows = await this.db.kysely.selectFrom('resource_files').select('sha256').distinct().execute();
    return new Set(rows.map((r) => r.sha256));
  }

  private async withFiles(set: ResourceSet): Promise<ResourceSetWithFiles> {
    const rows = await this.db.kysely.selectFrom('resource_files').selectAll().where('set_id', '=', set.id).orderBy('filename').execute();
    return withSums(set, rows.map(toFile));
  }
}

/** Set rows with their file rows (in the order given), and the sums. */
function withTheirFiles(rows: readonly Selectable<ResourceSetsTable>[], files: readonly Selectable<ResourceFilesTable>[]): ResourceSetWithFiles[] {
  const bySet = new Map<number, ResourceFile[]>();
  for (const file of files.map(toFile)) {
    const list = bySet.get(file.setId);
    if (list) list.push(file);
    else bySet.set(file.setId, [file]);
  }
  return rows.map((r) => withSums(toSet(r), bySet.get(r.id) ?? []));
}

function withSums(set: ResourceSet, files: readonly ResourceFile[]): ResourceSetWithFiles {
  return {
    ...set,
    files,
    size: files.reduce((n, f) => n + f.size, 0),
    bytesDone: files.reduce((n, f) => n + f.bytesDone, 0),
  };
}
