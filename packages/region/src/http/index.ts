export { createHttpApp, type HttpAppOptions, type HttpPart } from './app.js';
export {
  checkReadiness,
  redisCheck,
  sqliteCheck,
  storeWritableCheck,
  type ReadinessCheck,
  type ReadinessReport,
} from './readiness.js';
