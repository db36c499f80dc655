import { describe, expect, it } from 'vitest';
import { ChecksumMismatchError } from '@bootsync/shared/store';
import {
  failureOf,
  failureReason,
  progressMessage,
  RACK_PROTOCOL_VERSION,
  readFailure,
  readProgress,
  readRegistrationAnswer,
  readRegistrationRequest,
  readResult,
  readSyncJobData,
  refusedProtocol,
  registrationAnswer,
  registrationRefusal,
  registrationRequest,
  resultMessage,
  runSyncJob,
  syncNowJob,
  type SyncResult,
} from '@bootsync/shared/rack-protocol';

const NOBLE = { product: 'maas:boot:ubuntu:amd64:ga-24.04:noble', version: '20250718' };
const RESULT: SyncResult = { snapshot: 'snapshot-1', changed: true, bytesFetched: 10, files: 2, images: [NOBLE] };
const parties = { rack: 'rack-1', region: 'http://10.0.0.2:5240' };
/** Every message crosses as JSON (HTTP bodies, BullMQ's job data, return values and failed reasons). */
const wire = <T>(message: T): unknown => JSON.parse(JSON.stringify(message)) as unknown;

describe('the region-rack messages of one protocol version', () => {
  it('read back what the other side wrote', () => {
    expect(readRegistrationRequest(wire(registrationRequest('rack-1')))).toEqual({ protocol: RACK_PROTOCOL_VERSION, name: 'rack-1' });
    const answer = registrationAnswer({
      name: 'rack-1', queue: 'rack-rack-1', prefix: 'bootsync:region:x', streamPath: '/MAAS/images-stream/', token: 't',
      regions: ['http://10.0.0.2:5240', 'https://10.0.0.3:5240'],
    });
    expect(readRegistrationAnswer(wire(answer), parties)).toEqual(answer);
    expect(readSyncJobData(wire(syncNowJob('repair').data), parties)).toEqual({ protocol: RACK_PROTOCOL_VERSION, reason: 'repair' });
    expect(readProgress(wire(progressMessage({ bytesDone: 5, bytesTotal: 9, images: [NOBLE] })))).toEqual({ bytesDone: 5, bytesTotal: 9, images: [NOBLE] });
    expect(readResult(wire(resultMessage(RESULT)), 'rack-1')).toEqual(RESULT);
    expect(readResult(JSON.stringify(resultMessage(RESULT)), 'rack-1')).toEqual(RESULT);
  });

  it('sends a failure as data: its code, message, and the image and file it concerns', () => {
    const ref = { contentId: 'maas:v2:download', product: NOBLE.product, version: NOBLE.version, item: 'boot-kernel' };
    const failure = failureOf(new ChecksumMismatchError(ref, 'sha256', 'a'.repeat(64), 'b'.repeat(64)));
    expect(failure).toEqual({ code: 'STORE_CHECKSUM_MISMATCH', message: expect.stringContaining('sha256 mismatch'), image: NOBLE, file: 'boot-kernel' });
    expect(readFailure(failureReason(failure), 'rack-1')).toEqual(failure);
    expect(failureOf(new Error('socket hang up'))).toEqual({ code: 'RACK_SYNC_FAILED', message: 'socket hang up' });
    expect(failureOf(new Error('This operation was aborted'), { aborted: true }).code).toBe('RACK_SYNC_ABORTED');
  });

  it("reads a job's failure BullMQ wrote itself (not a rack's) as RACK_SYNC_FAILED with its words", () => {
    expect(readFailure('job stalled more than allowable limit', 'rack-1')).toEqual({ code: 'RACK_SYNC_FAILED', message: 'job stalled more than allowable limit' });
  });

  it('runs a job: progress and result carry the version, a failure fails the job with the failure as its reason', async () => {
    const reported: unknown[] = [];
    const job = { data: wire(syncNowJob('manual').data), updateProgress: async (p: object) => void reported.push(wire(p)) };
    const context = { ...parties, aborted: () => false };
    const result = await runSyncJob(job, async (onProgress) => {
      onProgress({ bytesDone: 1, bytesTotal: 2 });
      return RESULT;
    }, context);
    expect(readResult(wire(result), 'rack-1')).toEqual(RESULT);
    expect(reported.map(readProgress)).toEqual([{ bytesDone: 1, bytesTotal: 2 }]);

    const seen: unknown[] = [];
    const failed = runSyncJob(job, async () => Promise.reject(new Error('disk on fire')), { ...context, onFailure: (err) => seen.push(err) });
    const error = await failed.then(() => undefined, (err: unknown) => err as Error);
    expect(readFailure(error?.message ?? 'did not fail', 'rack-1')).toEqual({ code: 'RACK_SYNC_FAILED', message: 'disk on fire' });
    expect(seen).toEqual([new Error('disk on fire')]);
  });
});

describe('the live regions in the registration answer, added within version 1', () => {
  const fields = { name: 'rack-1', queue: 'rack-rack-1', prefix: 'p', streamPath: '/MAAS/images-stream/', token: 't' };

  it('rack: an answer without them (a region of the earlier release) makes the region it registered with the only one', () => {
    expect(readRegistrationAnswer(wire(registrationAnswer(fields)), parties).regions).toEqual(['http://10.0.0.2:5240']);
  });

  it('rack: takes them without their trailing slashes, and refuses a list that is not http(s) URLs, naming the field', () => {
    const read = (regions: unknown): readonly string[] => readRegistrationAnswer({ ...wire(registrationAnswer(fields)) as object, regions }, parties).regions;
    expect(read(['http://a:5240/', 'http://b:5240'])).toEqual(['http://a:5240', 'http://b:5240']);
    for (const bad of [[], 'http://a:5240', ['ftp://a/'], ['a:5240'], [7]]) {
      expect(() => read(bad)).toThrow(expect.objectContaining({ code: 'RACK_PROTOCOL_MALFORMED', message: expect.stringContaining('malformed registration answer: regions') }));
    }
  });
});

describe('a rack and a region of different protocol versions', () => {
  const before = { name: 'rack-1' };
  const newer = { protocol: RACK_PROTOCOL_VERSION + 1, name: 'rack-1' };

  it('region: refuses the registration of a rack of another version, saying what each speaks and which to upgrade', () => {
    expect(() => readRegistrationRequest(before)).toThrow(
      expect.objectContaining({ code: 'RACK_PROTOCOL_MISMATCH', rackProtocol: undefined, regionProtocol: RACK_PROTOCOL_VERSION }),
    );
    expect(() => readRegistrationRequest(before)).toThrow(
      `region-rack protocol mismatch in the registration request: rack rack-1 speaks no version (a release from before protocol versions), the region speaks version ${RACK_PROTOCOL_VERSION}; upgrade bootsync-rack on rack-1 to the region's release`,
    );
    expect(() => readRegistrationRequest(newer)).toThrow(/rack rack-1 speaks version 2, the region speaks version 1; upgrade bootsync-region to the rack's release/);
  });

  it("region: does not read a result or a failure of another version as the rack's state", () => {
    expect(() => readResult(RESULT, 'rack-1')).toThrow(expect.objectContaining({ code: 'RACK_PROTOCOL_MISMATCH', message: expect.stringContaining('sync result') }));
    expect(() => readResult({ ...RESULT, protocol: RACK_PROTOCOL_VERSION + 1 }, 'rack-1')).toThrow(/upgrade bootsync-region/);
    const later = JSON.stringify({ protocol: RACK_PROTOCOL_VERSION + 1, code: 'SOMETHING_NEW', message: 'x' });
    expect(readFailure(later, 'rack-1')).toEqual({ code: 'RACK_PROTOCOL_MISMATCH', message: expect.stringContaining('in the sync failure: rack rack-1 speaks version 2') });
    expect(readProgress({ bytesDone: 5, bytesTotal: 9 })).toBeUndefined();
  });

  it('rack: refuses the answer of a region of another version, and a job it queued', () => {
    const answer = { name: 'rack-1', queue: 'rack-rack-1', prefix: 'p', streamPath: '/MAAS/images-stream/', token: 't' };
    expect(() => readRegistrationAnswer(answer, parties)).toThrow(
      `region-rack protocol mismatch in the registration answer: rack rack-1 speaks version ${RACK_PROTOCOL_VERSION}, region http://10.0.0.2:5240 speaks no version (a release from before protocol versions); upgrade bootsync-region to the rack's release (or run racks of the region's release)`,
    );
    expect(refusedProtocol(wire({ ...registrationRefusal('RACK_PROTOCOL_MISMATCH', 'x'), protocol: 2 }), parties)).toMatchObject({
      code: 'RACK_PROTOCOL_MISMATCH', rackProtocol: 1, regionProtocol: 2, message: expect.stringContaining('upgrade bootsync-rack on rack-1'),
    });
    expect(refusedProtocol(wire(registrationRefusal('RACK_INVALID_NAME', 'x')), parties)).toBeUndefined();
    expect(() => readSyncJobData({ reason: 'schedule' }, parties)).toThrow(/in the sync job: rack rack-1 speaks version 1, region http:\/\/10.0.0.2:5240 speaks no version/);
  });
});
