import type { Redis } from 'ioredis';
import { Agent } from 'undici';
import type { Logger } from '@bootsync/shared/logging';
import { connectRedis } from '@bootsync/shared/redis';
import { SimulatedRack, type SimulatedRackStats } from './simulated-rack.js';

export interface RackSimulatorOptions {
  readonly regionUrl: string;
  readonly secret: string;
  readonly secretFile: string;
  readonly redisUrl: string;
  readonly racks: number;
  /** Racks are named `<prefix><n>`, n from 1. @defaultValue `sim-rack-` */
  readonly namePrefix?: string;
  readonly bytes: boolean;
  readonly logger: Logger;
  /** Registrations under way at once while starting. @defaultValue 50 */
  readonly startConcurrency?: number;
}

/** What every simulated rack did, added up. */
export interface SimulationSummary {
  readonly racks: number;
  readonly started: number;
  readonly syncs: number;
  readonly failures: number;
  readonly bytesFetched: number;
}

/**
 * Many simulated racks in one process (simulated-rack.ts), sharing one Redis connection for their commands and
 * one HTTP connection pool; each has its own queue, scheduler and worker at the region as a real rack does.
 */
export class RackSimulator {
  readonly #connection: Redis;
  readonly #dispatcher: Agent;
  readonly #racks: SimulatedRack[];
  #started = 0;

  constructor(private readonly options: RackSimulatorOptions) {
    this.#connection = connectRedis(options.redisUrl, undefined, { maxRetriesPerRequest: null });
    // Every worker listens on the shared connection.
    this.#connection.setMaxListeners(0);
    this.#connection.on('error', (err) => options.logger.warn({ event: 'sim.redis.error', err }));
    // No per-origin bound: a rack waiting its turn at the region holds a connection as a real rack would.
    this.#dispatcher = new Agent({ connections: null });
    const prefix = options.namePrefix ?? 'sim-rack-';
    this.#racks = Array.from({ length: options.racks }, (_, i) =>
      new SimulatedRack({
        name: `${prefix}${i + 1}`,
        regionUrl: options.regionUrl,
        secret: options.secret,
        secretFile: options.secretFile,
        connection: this.#connection,
        dispatcher: this.#dispatcher,
        bytes: options.bytes,
        logger: options.logger,
      }),
    );
  }

  get names(): string[] {
    return this.#racks.map((r) => r.name);
  }

  /** Registers every rack and starts its worker, `startConcurrency` at a time; `onStarted` after each. */
  async start(onStarted?: (started: number) => void): Promise<void> {
    let next = 0;
    const starter = async (): Promise<void> => {
      for (let i = next++; i < this.#racks.length; i = next++) {
        await (this.#racks[i] as SimulatedRack).start();
        this.#started += 1;
        onStarted?.(this.#started);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.startConcurrency ?? 50, this.#racks.length) }, starter));
  }

  stats(): SimulatedRackStats[] {
    return this.#racks.map((r) => r.stats());
  }

  summary(): SimulationSummary {
    const all = this.stats();
    const sum = (f: (s: SimulatedRackStats) => number): number => all.reduce((total, s) => total + f(s), 0);
    return { racks: all.length, started: this.#started, syncs: sum((s) => s.syncs), failures: sum((s) => s.failures), bytesFetched: sum((s) => s.bytesFetched) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#racks.map((r) => r.stop()));
    await this.#dispatcher.close();
    this.#connection.disconnect();
  }
}
