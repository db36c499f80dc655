import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { receive } from '../src/download/receive.js';

describe('receive', () => {
  it('hands every chunk to the sink in order and resolves at the end of the body', async () => {
    const got: string[] = [];
    await receive(Readable.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]), (chunk) => {
      got.push(chunk.toString());
      return got.length === 2 ? sleep(10) : undefined;
    });
    expect(got.join('')).toBe('abc');
  });

  it('settles when the connection is cut under a body paused for a slow sink, instead of waiting forever', async () => {
    const body = new Readable({ read() {} });
    body.push(Buffer.from('first'));
    const done = receive(body, () => {
      // The sink is behind: the body is paused, and then the connection goes away without an error of its own.
      setTimeout(() => body.destroy(), 5);
      return sleep(50);
    });
    await expect(done).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('rejects with the body error and with the sink error', async () => {
    const broken = new Readable({ read() { this.destroy(new Error('socket reset')); } });
    await expect(receive(broken, () => undefined)).rejects.toThrow('socket reset');
    const refused = receive(Readable.from([Buffer.from('x')]), () => {
      throw new Error('size exceeded');
    });
    await expect(refused).rejects.toThrow('size exceeded');
  });
});
