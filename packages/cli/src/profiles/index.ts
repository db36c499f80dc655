export { profilesFile, ProfileStore, ProfileError, type Profile, type ApiDescription } from './profile-store.js';
