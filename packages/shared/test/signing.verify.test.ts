import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadSignatureError,
  clearsign,
  detachSign,
  KeyringError,
  loadKeyring,
  SignatureMissingError,
  UnknownKeyError,
  verifyClearsigned,
  verifyDetached,
  type Keyring,
} from '@bootsync/shared/signing';
import { realFixtures } from '@bootsync/testkit/fixtures';

const real = realFixtures.cloudImagesSigned2016;
const CANONICAL_KEY = '7FF3F408476CF100';

let signed: string;
let canonical: Keyring;
let otherKey: Awaited<ReturnType<typeof newKey>>;
let tmp: string;

async function newKey() {
  const { privateKey, publicKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'other' }], format: 'object' });
  return { privateKey, keyring: await loadKeyring({ armored: publicKey.armor() }) };
}

beforeAll(async () => {
  signed = await readFile(path.join(real, 'index.sjson'), 'utf8');
  canonical = await loadKeyring({ file: path.join(real, 'cloud-images-476CF100.gpg') });
  otherKey = await newKey();
  tmp = await mkdtemp(path.join(tmpdir(), 'bootsync-signing-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("the real Canonical-signed index (RSA 4096, SHA512, 2016)", () => {
  it('verifies with the binary keyring and with the armored key, giving the signed JSON', async () => {
    const armored = await loadKeyring({ file: path.join(real, 'cloud-images-476CF100.pub.asc') });
    for (const keyring of [canonical, armored]) {
      const { payload, keyIds } = await verifyClearsigned(signed, keyring, 'index.sjson');
      expect(keyIds).toEqual([CANONICAL_KEY]);
      expect(payload.startsWith('{\n "index": {')).toBe(true);
      expect(payload.endsWith('"format": "index:1.0"\n}\n')).toBe(true);
      expect((JSON.parse(payload) as { format: string }).format).toBe('index:1.0');
    }
  });

  it.each([
    ['a changed date', (t: string) => t.replace('"updated": "Fri, 04 Nov 2016 03:34:01 +0000"', '"updated": "Fri, 04 Nov 2016 03:34:02 +0000"')],
    ['a changed path', (t: string) => t.replace('com.ubuntu.cloud:released:aws-cn.sjson', 'com.ubuntu.cloud:released:aws-cx.sjson')],
    ['a removed line', (t: string) => t.replace(' "format": "index:1.0"\n', '')],
    ['an added line', (t: string) => t.replace('{\n "index": {', '{\n "evil": 1,\n "index": {')],
  ])('refuses it after %s', async (_what, tamper) => {
    const tampered = tamper(signed);
    expect(tampered).not.toBe(signed);
    const err = await verifyClearsigned(tampered, canonical, 'index.sjson').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadSignatureError);
    expect(err).toMatchObject({ code: 'SIG_ERR_BAD', file: 'index.sjson', keyIds: [CANONICAL_KEY] });
  });

  it('refuses it with another key, naming the key that signed', async () => {
    const err = await verifyClearsigned(signed, otherKey.keyring, 'index.sjson').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownKeyError);
    expect(err).toMatchObject({ code: 'SIG_ERR_UNKNOWN_KEY', keyIds: [CANONICAL_KEY] });
  });

  it('never hands out text outside the signed block', async () => {
    const appended = `${signed}\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{"evil": true}\n`;
    const { payload } = await verifyClearsigned(appended, canonical, 'index.sjson');
    expect(payload).not.toContain('evil');
    const prefixed = `{"evil": true}\n${signed}`;
    await expect(verifyClearsigned(prefixed, canonical, 'index.sjson')).rejects.toBeInstanceOf(SignatureMissingError);
  });
});

describe('signatures made by bootsync', () => {
  const text = '{\n "a": "- dash",\n "b": 1\n}\n';

  it('round-trips a clearsigned text exactly, dash-escaped lines included', async () => {
    const sjson = await clearsign(`- ${text}`, otherKey.privateKey);
    expect(sjson).toContain('\n- - {');
    await expect(verifyClearsigned(sjson, otherKey.keyring)).resolves.toMatchObject({ payload: `- ${text}` });
  });

  it('verifies a detached signature over the exact bytes, armored or binary, and refuses other bytes', async () => {
    const signature = await detachSign(text, otherKey.privateKey);
    await expect(verifyDetached(text, signature, otherKey.keyring, 'x.json')).resolves.toMatchObject({ keyIds: [expect.any(String)] });
    const binary = Buffer.from(signature.split('\n\n')[1]!.split('\n=')[0]!.replace(/\n/g, ''), 'base64');
    await expect(verifyDetached(Buffer.from(text), binary, otherKey.keyring, 'x.json')).resolves.toBeDefined();
    await expect(verifyDetached(`${text} `, signature, otherKey.keyring, 'x.json')).rejects.toBeInstanceOf(BadSignatureError);
    await expect(verifyDetached(text, signature, canonical, 'x.json')).rejects.toBeInstanceOf(UnknownKeyError);
  });

  it('refuses a document that is not clearsigned', async () => {
    const err = await verifyClearsigned(text, otherKey.keyring, 'x.sjson').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignatureMissingError);
    expect(err).toMatchObject({ code: 'SIG_ERR_MISSING', file: 'x.sjson' });
  });
});

describe('loadKeyring', () => {
  it('reads several keys from one file and from bytes', async () => {
    const both = path.join(tmp, 'both.asc');
    const other = (await readFile(path.join(real, 'cloud-images-476CF100.pub.asc'), 'utf8')) + otherKey.keyring.keys[0]!.armor();
    await writeFile(both, other);
    const keyring = await loadKeyring({ file: both });
    expect(keyring.keys).toHaveLength(2);
    expect(keyring.keyIds.has(CANONICAL_KEY)).toBe(true);
    const bytes = await loadKeyring({ bytes: await readFile(path.join(real, 'cloud-images-476CF100.gpg')) });
    expect([...bytes.keyIds]).toContain(CANONICAL_KEY);
  });

  it('refuses a missing file, a file that holds no key, with the file named', async () => {
    const garbage = path.join(tmp, 'garbage.gpg');
    await writeFile(garbage, 'not a key');
    for (const file of [path.join(tmp, 'absent.gpg'), garbage]) {
      const err = await loadKeyring({ file }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyringError);
      expect(err).toMatchObject({ code: 'SIG_ERR_KEYRING', file });
      expect((err as Error).message).toContain(file);
    }
  });
});
