export { loadKeyring, UBUNTU_IMAGES_KEYRING, type Keyring, type KeyringSource } from './keyring.js';
export { clearsign, clearsignedPayload, verifyClearsigned, type VerifiedText } from './clearsigned.js';
export { detachSign, verifyDetached } from './detached.js';
export { BadSignatureError, KeyringError, SignatureMissingError, UnknownKeyError } from './errors.js';
export { BUNDLED_UBUNTU_IMAGES_KEYRING, chooseKeyringFile, type KeyringFileChoice } from './ubuntu-keyring.js';
