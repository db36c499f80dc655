export { UploadService, type UploadChunk, type UploadServiceDeps } from './upload-service.js';
export { cleanUploadForm, UPLOAD_FILETYPES, SUPPORTED_OSYSTEMS, type UploadForm, type UploadFormContext } from './upload-form.js';
export { nextVersionName, usableArchitectures } from './usable-architectures.js';
export { UploadChecksumError, UploadChunkRefusedError, UploadContentMismatchError } from './errors.js';
