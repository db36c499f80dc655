export { IntegrityGuard, type IntegrityGuardDeps, type ImageVersion } from './integrity-guard.js';
export { inspectCurrent, originOf, type Inspection } from './inspect-current.js';
export { damageKey, type Damage, type DamageReason } from './damage.js';
export { RackScrub, type RackScrubDeps } from './rack-scrub.js';
