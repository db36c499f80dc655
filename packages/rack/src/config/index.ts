export { validateRackName } from './rack-name.js';
export {
  loadRackConfig,
  rackOptions,
  resolveRackConfig,
  type ListenAddress,
  type RackConfig,
  type RackConfigInput,
  type RackSetting,
} from './rack-config.js';
