import type { Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { FieldErrorCollector, NotFoundError } from './errors.js';
import { nowIso, parseJson } from './rows.js';
import type { BootResourcesTable } from './schema.js';
import type { BootResource, ResourceType } from './types.js';

const RTYPES: readonly ResourceType[] = ['synced', 'generated', 'uploaded'];

function toBootResource(r: Selectable<BootResourcesTable>): BootResource {
  return {
    id: r.id,
    rtype: r.rtype,
    name: r.name,
    architecture: r.architecture,
    extra: parseJson<Record<string, unknown>>(r.extra),
    created: r.created,
    updated: r.updated,
  };
}

export interface BootResourceInput {
  readonly rtype: ResourceType;
  readonly name: string;
  readonly architecture: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

function validate(r: BootResourceInput): void {
  const errors = new FieldErrorCollector();
  if (!RTYPES.includes(r.rtype)) errors.add('rtype', `Select a valid choice. ${String(r.rtype)} is not one of the available choices.`);
  if (!/^[^/\s]+\/[^/\s]+$/.test(r.name)) errors.add('name', 'Expected os/release, e.g. ubuntu/noble.');
  if (!/^[^/\s]+\/[^/\s]+$/.test(r.architecture)) errors.add('architecture', 'Expected arch/subarch, e.g. amd64/ga-24.04.');
  errors.throwIfAny('BootResource');
}

/** Boot resources: one image (os/release for arch/subarch) the region holds sets of. */
export class BootResourceRepository {
  constructor(private readonly db: Queryable) {}

  async list(filter: { rtype?: ResourceType } = {}): Promise<BootResource[]> {
    let query = this.db.kysely.selectFrom('boot_resources').selectAll();
    if (filter.rtype !== undefined) query = query.where('rtype', '=', filter.rtype);
    const rows = await query.orderBy('name').orderBy('architecture').execute();
    return rows.map(toBootResource);
  }

  async find(id: number): Promise<BootResource | undefined> {
    const row = await this.db.kysely.selectFrom('boot_resources').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toBootResource(row);
  }

  async get(id: number): Promise<BootResource> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('BootResource', id);
    return found;
  }

  async findByName(name: string, architecture: string): Promise<BootResource | undefined> {
    const row = await this.db.kysely
      .selectFrom('boot_resources')
      .selectAll()
      .where('name', '=', name)
      .where('architecture', '=', architecture)
      .executeTakeFirst();
    return row && toBootResource(row);
  }

  /** Creates the resource, or updates its type and extra when (name, architecture) exists. */
  async upsert(input: BootResourceInput): Promise<BootResource> {
    validate(input);
    const now = nowIso();
    const row = await this.db.kysely
      .insertInto('boot_resources')
      .values({ rtype: input.rtype, name: input.name, architecture: input.architecture, extra: JSON.stringify(input.extra ?? {}), created: now, updated: now })
      .onConflict((oc) =>
        oc.columns(['name', 'architecture']).doUpdateSet((eb) => ({
          rtype: eb.ref('excluded.rtype'),
          extra: eb.ref('excluded.extra'),
          updated: eb.ref('excluded.updated'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toBootResource(row);
  }

  /** Deletes the resource with its sets and file rows (cascade); blobs are the store's to collect. */
  async delete(id: number): Promise<void> {
    const { numDeletedRows } = await this.db.kysely.deleteFrom('boot_resources').where('id', '=', id).executeTakeFirst();
    if (numDeletedRows === 0n) throw new NotFoundError('BootResource', id);
  }
}
