export { RegionLink, type RegionLinkOptions } from './region-link.js';
export { REGIONS_FILE, rememberedRegions, rememberRegions } from './remembered-regions.js';
