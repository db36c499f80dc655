import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@bootsync/shared/logging';
import type { ContentStore, ScrubMismatch } from '@bootsync/shared/store';
import type { RackMetrics } from '../metrics/index.js';
import { readCurrent, sameStamp, stampOf, type CurrentSnapshot } from '../snapshot/index.js';
import type { SerialLock } from '../sync/serial-lock.js';
import { damageKey, type Damage } from './damage.js';
import { inspectCurrent, originOf } from './inspect-current.js';

export interface IntegrityGuardDeps {
  readonly dataDir: string;
  readonly cache: ContentStore;
  /** The data dir's lock (sync targets, publishes, prunes): a file is withheld between two publishes, never during one. */
  readonly lock: SerialLock;
  readonly metrics: RackMetrics;
  readonly logger: Logger;
  readonly rack: string;
}

/** An image as the region counts it: a region-stream product at one version. */
export interface ImageVersion {
  readonly product: string;
  readonly version: string;
}

/**
 * What the rack does about bytes that changed after they were verified, whoever finds them (a scrub re-hashing a
 * blob, or the size/mtime check of a sync): log `rack.scrub.mismatch`, count it, stop serving the file at once (it
 * is unlinked from `current`: 404, never the wrong bytes), move a bad blob aside so the next sync fetches it again,
 * and remember the damage until a published snapshot serves those files whole again (the repair), so the sync
 * reports the damaged images as not held meanwhile.
 */
export class IntegrityGuard {
  readonly #withheld = new Map<string, Damage>();
  /** Asks for a sync soon (the daemon queues one): the repair of what a scrub just withheld. */
  onDamage: () => void = () => undefined;

  constructor(private readonly deps: IntegrityGuardDeps) {}

  /** Files withheld and not yet repaired. */
  get withheld(): readonly Damage[] {
    return [...this.#withheld.values()];
  }

  /**
   * The sync's cheap check of `current`; new damage is withheld. True when current is whole: every file as
   * published, none withheld, every blob of its plan in the cache.
   */
  async checkCurrent(current: CurrentSnapshot): Promise<boolean> {
    const found = await inspectCurrent(current, this.deps.cache);
    const fresh = found.damage.filter((d) => !this.#withheld.has(damageKey(d)));
    if (fresh.length > 0) await this.deps.lock.run(() => this.#withhold(fresh));
    return found.damage.length === 0 && found.uncached.length === 0 && this.#withheld.size === 0;
  }

  /** A scrub found a cached blob whose bytes no longer hash to its name: withhold every file of `current` it is. */
  async blobChanged(mismatch: Pick<ScrubMismatch, 'sha256'>): Promise<void> {
    const { sha256 } = mismatch;
    await this.deps.lock.run(async () => {
      const current = await readCurrent(this.deps.dataDir);
      const plan = current?.manifest.plan;
      const files = plan?.files.filter((f) => f.sha256 === sha256) ?? [];
      const damage: Damage[] = files.map((f) => ({ sha256, file: f.path, ref: f.ref, reason: 'sha256' }));
      if (damage.length === 0) {
        // Not a file `current` serves as it is (a bootloader archive, a blob fetched for the next snapshot).
        const archive = plan?.archives.find((a) => a.sha256 === sha256);
        damage.push({ sha256, ...(archive ? { ref: archive.ref } : {}), reason: 'sha256' });
      }
      await this.#withhold(damage, true);
    });
    this.onDamage();
  }

  /** What of `images` (current's) the rack serves whole: those with a withheld file are left out. */
  wholeImages<T extends ImageVersion>(images: readonly T[]): T[] {
    const damaged = new Set([...this.#withheld.values()].flatMap((d) => (d.ref ? [`${d.ref.product}\n${d.ref.version}`] : [])));
    return images.filter((i) => !damaged.has(`${i.product}\n${i.version}`));
  }

  /** A snapshot was just published from verified blobs (under the lock): what was withheld is served whole again. */
  repaired(snapshot: string): void {
    const count = this.#withheld.size;
    if (count === 0) return;
    this.#withheld.clear();
    this.deps.metrics.scrubRepairs.inc(count);
    this.deps.logger.info({ event: 'rack.scrub.repaired', rack: this.deps.rack, snapshot, files: count });
  }

  /** Under the lock. `blobBad`: the blob itself failed its hash; otherwise it is moved aside only if it changed too. */
  async #withhold(damage: readonly Damage[], blobBad = false): Promise<void> {
    const current = await readCurrent(this.deps.dataDir);
    const quarantined = new Set<string>();
    for (const d of damage) {
      if (!quarantined.has(d.sha256) && d.sha256 !== '' && (blobBad || (await this.#blobChanged(current, d)))) {
        await this.deps.cache.quarantine(d.sha256);
        quarantined.add(d.sha256);
      }
      if (current && d.file) await rm(join(current.dir, d.file), { force: true });
      this.#withheld.set(damageKey(d), d);
      this.deps.metrics.scrubMismatches.inc();
      this.deps.logger.warn({
        event: 'rack.scrub.mismatch',
        rack: this.deps.rack,
        image: d.ref?.product,
        version: d.ref?.version,
        file: d.file ?? this.deps.cache.pathOf(d.sha256),
        sha256: d.sha256,
        reason: d.reason,
      });
    }
  }

  /**
   * Whether the cached blob behind a damaged file changed too. A file of `current` is a hard link to its blob (one
   * inode), so a changed file means a changed blob; a file that is only gone leaves its blob as verified.
   */
  async #blobChanged(current: CurrentSnapshot | undefined, d: Damage): Promise<boolean> {
    const recorded = d.file ? current?.manifest.files?.[d.file] : undefined;
    if (!d.file || !current || !originOf(current.manifest.plan, d.file)?.linked) return false;
    const blob = await stat(this.deps.cache.pathOf(d.sha256)).catch(() => undefined);
    if (!blob) return false;
    return recorded ? !sameStamp(stampOf(blob), recorded) : d.reason !== 'missing';
  }
}
