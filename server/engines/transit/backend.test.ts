import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../core/request';
import { VaultError } from '../../errors';
import { testRequest, testStorage } from '../kv/test-storage';
import { TransitBackend } from './backend';

// The route table and key rules over real SQLite behind an unsealed barrier.
function engine() {
  const b = new TransitBackend(testStorage('logical/transit/').view);
  const call = async (op: Operation, path: string, data: Record<string, unknown> = {}) => {
    const res = await b.handle(testRequest(op, path, data, { mountPoint: 'transit/' }));
    if (!res) throw new Error(`no route for ${path}`);
    return res;
  };
  const fails = async (op: Operation, path: string, data: Record<string, unknown> = {}) => {
    try {
      await call(op, path, data);
    } catch (err) {
      if (err instanceof VaultError) return { status: err.status, message: err.message };
      throw err;
    }
    throw new Error(`${path} did not fail`);
  };
  return { b, call, fails };
}
const b64 = (t: string) => Buffer.from(t).toString('base64');

describe('transit routes', () => {
  it('answers unknown paths with null (404) and wrong operations with 405', async () => {
    const { b, fails } = engine();
    expect(await b.handle(testRequest('update', 'nothing/here', {}, { mountPoint: 'transit/' }))).toBeNull();
    expect((await fails('read', 'encrypt/k')).status).toBe(405);
  });

  it('random takes (/:source)(/:bytes) in either order Vault allows', async () => {
    const { call, fails } = engine();
    const bytesOf = (r: Awaited<ReturnType<typeof call>>) => Buffer.from(String(r.data!.random_bytes), 'base64').length;
    expect(bytesOf(await call('update', 'random/8'))).toBe(8);
    expect(bytesOf(await call('update', 'random/seal/12'))).toBe(12);
    expect(bytesOf(await call('update', 'random/all'))).toBe(32);
    expect(bytesOf(await call('update', 'random', { bytes: 5 }))).toBe(5);
    expect((await fails('update', 'random/999999999')).message).toBe('"bytes" should be less than 131072');
  });

  it('encrypt is `create` only while the key is missing (Vault existence check); other writes are `update`', async () => {
    const { b, call } = engine();
    const req = (path: string) => testRequest('update', path, {}, { mountPoint: 'transit/' });
    expect(b.exists(req('encrypt/k'))).toBe(false);
    await call('update', 'keys/k');
    expect(b.exists(req('encrypt/k'))).toBe(true);
    expect(b.exists(req('keys/other'))).toBe(true);
  });
});

describe('transit key rules', () => {
  it('min_encryption_version refuses older versions for encrypt and must not fall below min_decryption_version', async () => {
    const { call, fails } = engine();
    await call('update', 'keys/k');
    await call('update', 'keys/k/rotate');
    await call('update', 'keys/k/rotate');
    await call('update', 'keys/k/config', { min_encryption_version: 2 });
    expect((await fails('update', 'encrypt/k', { plaintext: b64('x'), key_version: 1 })).message).toBe(
      'requested version for encryption is less than the minimum encryption key version',
    );
    expect((await call('update', 'encrypt/k', { plaintext: b64('x') })).data!.key_version).toBe(3);
    expect((await fails('update', 'keys/k/config', { min_decryption_version: 3 })).message).toBe(
      'cannot set min encryption/decryption values; min encryption version of 2 must be greater than or equal to min decryption version of 3',
    );
  });

  it('exportable cannot be turned off once on; export gives Vault formats per key type', async () => {
    const { call, fails } = engine();
    await call('update', 'keys/plain');
    expect((await fails('read', 'export/encryption-key/plain')).message).toBe('key is not exportable');
    await call('update', 'keys/ed', { type: 'ed25519', exportable: true });
    await call('update', 'keys/ed/config', { exportable: false });
    const ed = await call('read', 'export/signing-key/ed/latest');
    expect(Buffer.from(String((ed.data!.keys as Record<string, string>)['1']), 'base64').length).toBe(64);
    await call('update', 'keys/ec', { type: 'ecdsa-p256', exportable: true });
    const ec = String(((await call('read', 'export/signing-key/ec')).data!.keys as Record<string, string>)['1']);
    expect(ec).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----$/);
    expect(createPrivateKey(ec).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    await call('update', 'keys/aes', { exportable: true });
    const aes = String(((await call('read', 'export/encryption-key/aes/1')).data!.keys as Record<string, string>)['1']);
    expect(Buffer.from(aes, 'base64').length).toBe(32);
    expect((await fails('read', 'export/signing-key/aes')).message).toBe('signing not supported for the key');
    expect((await fails('read', 'export/bogus/aes')).message).toBe('invalid export type: bogus');
  });

  it('a batch item error does not stop the others; a non-batch request fails with that error', async () => {
    const { call, fails } = engine();
    await call('update', 'keys/k');
    const res = await call('update', 'encrypt/k', { batch_input: [{ plaintext: b64('a') }, { plaintext: '%%' }] });
    expect(res.status).toBe(400);
    const results = res.data!.batch_results as Record<string, unknown>[];
    expect(results[0].ciphertext).toMatch(/^vault:v1:/);
    expect(results[1]).toEqual({ error: 'illegal base64 data at input byte 0', reference: '' });
    expect((await fails('update', 'encrypt/k', { plaintext: '%%' })).message).toBe('illegal base64 data at input byte 0');
    expect((await fails('update', 'encrypt/k', { batch_input: [] })).message).toBe('missing batch input to process');
  });
});
