import type { Repositories } from '../db/index.js';
import type { PublishedImage } from './region-stream.js';

/**
 * Every resource with a complete set, with its newest one (sets are listed newest first). A damaged set (it lost a
 * blob, an import is fetching it again) is still offered: racks that hold it keep it, and only the missing blob
 * cannot be fetched from the region meanwhile.
 */
export async function publishedImages(repos: Pick<Repositories, 'bootResources' | 'resourceSets'>): Promise<PublishedImage[]> {
  const sets = await repos.resourceSets.listByResource();
  const published: PublishedImage[] = [];
  for (const resource of await repos.bootResources.list({})) {
    const set = sets.get(resource.id)?.find((s) => s.complete || s.damaged);
    if (set) published.push({ resource, set });
  }
  return published;
}
