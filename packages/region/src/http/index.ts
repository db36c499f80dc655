export { createHttpApp, type HttpAppOptions, type HttpPart } from './app.js';
export {
  checkReadiness,
  redisCheck,
  databaseCheck,
  storeWritableCheck,
  type ReadinessCheck,
  type ReadinessReport,
} from './readiness.js';
