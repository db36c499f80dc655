export { validateRackName } from './rack-name.js';
export {
  RACK_DEFAULTS,
  RACK_SETTINGS,
  loadRackConfig,
  rackOptions,
  resolveRackConfig,
  type ListenAddress,
  type RackConfig,
  type RackConfigInput,
  type RackSetting,
} from './rack-config.js';
