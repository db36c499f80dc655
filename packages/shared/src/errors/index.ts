export { BootsyncError } from './bootsync-error.js';
export type {
  ConfigErrorCode,
  DownloadErrorCode,
  RackProtocolErrorCode,
  SelectErrorCode,
  SharedErrorCode,
  SignatureErrorCode,
  SimplestreamsErrorCode,
  StoreErrorCode,
} from './codes.js';
