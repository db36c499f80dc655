import type { Db } from './connection.js';
import { NotFoundError } from './errors.js';
import { nowIso, parseJson } from './rows.js';
import type { ImportOutcome, ImportRun, ImportRunError } from './types.js';

interface RunRow {
  id: number;
  started: string;
  finished: string | null;
  outcome: ImportOutcome;
  bytes: number;
  errors: string;
}

function toRun(r: RunRow): ImportRun {
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
  constructor(private readonly db: Db) {}

  start(): ImportRun {
    const { lastInsertRowid } = this.db.prepare(`INSERT INTO import_runs (started) VALUES (?)`).run(nowIso());
    return this.get(Number(lastInsertRowid));
  }

  find(id: number): ImportRun | undefined {
    const row = this.db.prepare('SELECT * FROM import_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  get(id: number): ImportRun {
    const found = this.find(id);
    if (!found) throw new NotFoundError('ImportRun', id);
    return found;
  }

  /** The most recent runs first. */
  list(limit = 20): ImportRun[] {
    return (this.db.prepare('SELECT * FROM import_runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]).map(toRun);
  }

  lastSucceeded(): ImportRun | undefined {
    const row = this.db
      .prepare(`SELECT * FROM import_runs WHERE outcome = 'succeeded' ORDER BY id DESC LIMIT 1`)
      .get() as RunRow | undefined;
    return row && toRun(row);
  }

  addBytes(id: number, bytes: number): void {
    this.changeOne(id, this.db.prepare('UPDATE import_runs SET bytes = bytes + ? WHERE id = ?').run(bytes, id).changes);
  }

  addError(id: number, error: ImportRunError): void {
    const { changes } = this.db
      .prepare('UPDATE import_runs SET errors = json_insert(errors, \'$[#]\', json(?)) WHERE id = ?')
      .run(JSON.stringify(error), id);
    this.changeOne(id, changes);
  }

  finish(id: number, outcome: Exclude<ImportOutcome, 'running'>): ImportRun {
    const { changes } = this.db
      .prepare('UPDATE import_runs SET outcome = ?, finished = ? WHERE id = ?')
      .run(outcome, nowIso(), id);
    this.changeOne(id, changes);
    return this.get(id);
  }

  /**
   * Closes runs left 'running' by a region that died (SIGKILL, power loss) as 'stopped'; called at start-up,
   * before any new import can start. Returns how many were closed.
   */
  closeAbandoned(): number {
    return this.db
      .prepare(`UPDATE import_runs SET outcome = 'stopped', finished = ? WHERE outcome = 'running'`)
      .run(nowIso()).changes;
  }

  private changeOne(id: number, changes: number): void {
    if (changes === 0) throw new NotFoundError('ImportRun', id);
  }
}
