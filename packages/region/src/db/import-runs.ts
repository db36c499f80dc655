import type { Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { NotFoundError } from './errors.js';
import { nowIso, parseJson } from './rows.js';
import type { ImportRunsTable } from './schema.js';
import { inTransaction } from './transactions.js';
import type { ImportOutcome, ImportRun, ImportRunError } from './types.js';

function toRun(r: Selectable<ImportRunsTable>): ImportRun {
  return {
    id: r.id,
    started: r.started,
    finished: r.finished,
    outcome: r.outcome,
    bytes: r.bytes,
    errors: parseJson<ImportRunError[]>(r.errors),
  };
}

/** The history of imports: when, how it ended, bytes fetched and what failed. */
export class ImportRunRepository {
  constructor(private readonly db: Queryable) {}

  async start(): Promise<ImportRun> {
    const row = await this.db.kysely.insertInto('import_runs').values({ started: nowIso() }).returningAll().executeTakeFirstOrThrow();
    return toRun(row);
  }

  async find(id: number): Promise<ImportRun | undefined> {
    const row = await this.db.kysely.selectFrom('import_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRun(row);
  }

  async get(id: number): Promise<ImportRun> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('ImportRun', id);
    return found;
  }

  /** The most recent runs first. */
  async list(limit = 20): Promise<ImportRun[]> {
    const rows = await this.db.kysely.selectFrom('import_runs').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRun);
  }

  async lastSucceeded(): Promise<ImportRun | undefined> {
    const row = await this.db.kysely
      .selectFrom('import_runs')
      .selectAll()
      .where('outcome', '=', 'succeeded')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRun(row);
  }

  async addBytes(id: number, bytes: number): Promise<void> {
    const { numUpdatedRows } = await this.db.kysely
      .updateTable('import_runs')
      .set((eb) => ({ bytes: eb('bytes', '+', bytes) }))
      .where('id', '=', id)
      .executeTakeFirst();
    this.changeOne(id, numUpdatedRows);
  }

  /** Appends one error to the run's list (read, appended and written in one transaction: JSON functions differ). */
  async addError(id: number, error: ImportRunError): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await trx.kysely.selectFrom('import_runs').select('errors').where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('ImportRun', id);
      const errors = JSON.stringify([...parseJson<ImportRunError[]>(row.errors), error]);
      await trx.kysely.updateTable('import_runs').set({ errors }).where('id', '=', id).execute();
    });
  }

  async finish(id: number, outcome: Exclude<ImportOutcome, 'running'>): Promise<ImportRun> {
    const row = await this.db.kysely
      .updateTable('import_runs')
      .set({ outcome, finished: nowIso() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('ImportRun', id);
    return toRun(row);
  }

  /**
   * Closes runs left 'running' by a region that died (SIGKILL, power loss) as 'stopped'; called at start-up,
   * before any new import can start. Returns how many were closed.
   */
  async closeAbandoned(): Promise<number> {
    const { numUpdatedRows } = await this.db.kysely
      .updateTable('import_runs')
      .set({ outcome: 'stopped', finished: nowIso() })
      .where('outcome', '=', 'running')
      .executeTakeFirst();
    return Number(numUpdatedRows);
  }

  private changeOne(id: number, changes: bigint): void {
    if (changes === 0n) throw new NotFoundError('ImportRun', id);
  }
}
