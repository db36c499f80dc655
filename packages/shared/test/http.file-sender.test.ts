import { fstatSync, openSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFileRequest, sendFile } from '@bootsync/shared/http';
import { pausedGet } from '@bootsync/testkit/net';
import { eventually } from '@bootsync/testkit/wait';

const MiB = 1024 * 1024;
let dir: string;
let server: Server;
let port: number;
let file: string;
const content = Buffer.alloc(32 * MiB);
for (let i = 0; i < content.length; i += 4) content.writeUInt32LE(i, i);
const fds: number[] = [];
const ended: unknown[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-file-sender-'));
  file = join(dir, 'image');
  server = createServer((req, res) => {
    const fd = openSync(file, 'r');
    fds.push(fd);
    const answer = answerFileRequest({ range: req.headers.range }, fstatSync(fd).size, '"e"');
    sendFile(res, fd, answer).then(() => ended.push('ok'), (err: unknown) => ended.push(err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('sendFile', () => {
  it('cuts the connection when the file shrinks under a reader: a short body, never other bytes', async () => {
    await writeFile(file, content);
    const reader = pausedGet(`http://127.0.0.1:${port}/image`);
    await reader.started;
    await truncate(file, 20 * MiB);
    const { head, body } = await reader.finish();
    expect(head).toContain(`content-length: ${content.length}`);
    expect(body.length).toBeLessThan(content.length);
    expect(body.equals(content.subarray(0, body.length))).toBe(true);
    await eventually(() => (ended.length === 1 ? true : undefined), 5_000, 'sendFile ended');
    expect(() => fstatSync(fds.at(-1)!)).toThrow(/EBADF/);
  });

  it('ends, and closes its file, when the client leaves mid-body', async () => {
    await writeFile(file, content);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /image HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.destroy();
    await eventually(() => (ended.length === 2 ? true : undefined), 5_000, 'sendFile ended');
    expect(ended[1]).toBe('ok');
    expect(() => fstatSync(fds.at(-1)!)).toThrow(/EBADF/);
  });
});
