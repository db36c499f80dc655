export {
  loadRackConfig,
  rackOptions,
  resolveRackConfig,
  type ListenAddress,
  type RackConfig,
  type RackConfigInput,
  type RackSetting,
} from './rack-config.js';
