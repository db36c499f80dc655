/**
 * The rack simulator: many racks in one process for scale measurements (`npm run sim:racks`, `bench:scale`). Each
 * simulated rack registers and runs its sync jobs exactly as `bootsync-rack` does (the protocol's client, the
 * rack's worker, snapshot plan and downloader), but holds nothing on disk: with `bytes`, what it fetches is
 * verified and dropped.
 */
export { RackSimulator, type RackSimulatorOptions, type SimulationSummary } from './rack-simulator.js';
export { SimulatedRack, type SimulatedRackOptions, type SimulatedRackStats } from './simulated-rack.js';
export { DiscardingSink } from './discarding-sink.js';
