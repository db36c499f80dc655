import type { Logger } from '@bootsync/shared/logging';
import type { ImportService } from './import-service.js';

/**
 * "Fetch the damaged blobs again": queues an import. An import already running planned before the damage was
 * recorded and joins this request (deduplicated), so one more is queued once it has finished.
 */
export function repairTrigger(imports: Pick<ImportService, 'triggerImport' | 'onImportFinished'>, log: Logger): () => Promise<void> {
  let followUp: (() => void) | undefined;
  const trigger = async (): Promise<void> => {
    const { deduplicated } = await imports.triggerImport('repair');
    if (!deduplicated || followUp) return;
    followUp = imports.onImportFinished(() => {
      followUp?.();
      followUp = undefined;
      imports.triggerImport('repair').catch((err: unknown) => log.error({ event: 'region.repair.queue_failed', err }));
    });
  };
  return () => trigger().catch((err: unknown) => log.error({ event: 'region.repair.queue_failed', err }));
}
