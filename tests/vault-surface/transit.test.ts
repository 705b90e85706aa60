import { createHash, createHmac, createPublicKey, verify as nodeVerify, constants } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Issue 10 item 3: the transit secrets engine, against a real `coffer server
// -dev` over Vault's HTTP API. Each test names what a client relies on;
// failures are asserted as Vault answers them (status, error text) and as
// leaving nothing changed.
let s: DevServer;
const b64 = (t: string | Buffer) => Buffer.from(t).toString('base64');
const call = (method: string, path: string, body?: unknown) => api(s.addr, method, `transit/${path}`, { token: s.rootToken, body });
const post = (path: string, body: unknown = {}) => call('POST', path, body);

async function makeKey(name: string, body: Record<string, unknown> = {}) {
  const r = await post(`keys/${name}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.data;
}
async function encrypt(name: string, plaintext: string, extra: Record<string, unknown> = {}) {
  const r = await post(`encrypt/${name}`, { plaintext: b64(plaintext), ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.data.ciphertext as string;
}
async function decrypt(name: string, ciphertext: string) {
  return post(`decrypt/${name}`, { ciphertext });
}
const latest = async (name: string) => (await call('GET', `keys/${name}`)).body.data.latest_version as number;

beforeAll(async () => {
  s = await startDevServer({ healthTimeoutMs: 60_000 });
  const m = await api(s.addr, 'POST', 'sys/mounts/transit', { token: s.rootToken, body: { type: 'transit' } });
  expect(m.status, JSON.stringify(m.body)).toBe(204);
}, 90_000);

afterAll(async () => {
  await s?.stop();
});

describe('transit keys', () => {
  it('round-trips a value through encrypt/decrypt for every encryption key type', { timeout: 120_000 }, async () => {
    for (const type of ['aes256-gcm96', 'chacha20-poly1305', 'rsa-2048', 'rsa-4096']) {
      const name = `rt-${type}`;
      const key = await makeKey(name, { type });
      expect(key).toMatchObject({ type, latest_version: 1, min_decryption_version: 1, min_encryption_version: 0, supports_encryption: true, supports_decryption: true });
      const ct = await encrypt(name, `secret for ${type}`);
      expect(ct).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
      const d = await decrypt(name, ct);
      expect(d.status).toBe(200);
      expect(Buffer.from(d.body.data.plaintext, 'base64').toString()).toBe(`secret for ${type}`);
    }
  });

  it('reads a key with Vault\'s fields: creation time per version for symmetric keys, public key for asymmetric ones', { timeout: 60_000 }, async () => {
    const sym = (await call('GET', 'keys/rt-aes256-gcm96')).body.data;
    expect(sym).toMatchObject({ type: 'aes256-gcm96', deletion_allowed: false, exportable: false, derived: false, supports_signing: false, supports_derivation: true });
    expect(typeof sym.keys['1']).toBe('number');
    expect(Math.abs(sym.keys['1'] - Date.now() / 1000)).toBeLessThan(3600);
    await makeKey('view-ecdsa', { type: 'ecdsa-p256' });
    const ec = (await call('GET', 'keys/view-ecdsa')).body.data;
    expect(ec).toMatchObject({ supports_signing: true, supports_encryption: false });
    expect(ec.keys['1'].name).toBe('P-256');
    expect(ec.keys['1'].public_key).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(JSON.stringify(ec)).not.toMatch(/PRIVATE/);
    const list = await call('LIST', 'keys');
    expect(list.body.data.keys).toEqual(expect.arrayContaining(['rt-aes256-gcm96', 'view-ecdsa']));
  });

  it('an unknown key type is a 400 and creates nothing; derived keys are refused with a clear 400', async () => {
    const r = await post('keys/bad-type', { type: 'des' });
    expect(r).toMatchObject({ status: 400, body: { errors: ['unknown key type des'] } });
    const d = await post('keys/bad-derived', { derived: true });
    expect(d.status).toBe(400);
    expect(d.body.errors[0]).toMatch(/derived/);
    expect((await call('GET', 'keys/bad-type')).status).toBe(404);
    expect((await call('GET', 'keys/bad-derived')).status).toBe(404);
  });

  it('deletion is refused until deletion_allowed, then the key is gone', async () => {
    await makeKey('doomed');
    const refused = await call('DELETE', 'keys/doomed');
    expect(refused).toMatchObject({ status: 400, body: { errors: ['error deleting policy doomed: deletion is not allowed for this key'] } });
    expect((await call('GET', 'keys/doomed')).status).toBe(200);
    const cfg = await post('keys/doomed/config', { deletion_allowed: true });
    expect(cfg.status).toBe(200);
    expect(cfg.body.data.deletion_allowed).toBe(true);
    expect((await call('DELETE', 'keys/doomed')).status).toBe(204);
    expect((await call('GET', 'keys/doomed')).status).toBe(404);
  });
});

describe('transit encrypt / decrypt / rotate / rewrap', () => {
  it('batch encrypt and decrypt report a bad item in batch_results with Vault\'s 400, the good ones still done', async () => {
    await makeKey('batch');
    const enc = await post('encrypt/batch', { batch_input: [{ plaintext: b64('one'), reference: 'a' }, { plaintext: 'not base64!' }, { plaintext: b64('three') }] });
    expect(enc.status).toBe(400);
    const [one, bad, three] = enc.body.data.batch_results;
    expect(one).toMatchObject({ key_version: 1, reference: 'a' });
    expect(bad.error).toMatch(/^illegal base64 data at input byte \d+$/);
    expect(bad.ciphertext).toBeUndefined();
    const dec = await post('decrypt/batch', { batch_input: [{ ciphertext: one.ciphertext }, { ciphertext: 'vault:v1:garbage' }, { ciphertext: three.ciphertext }] });
    expect(dec.status).toBe(400);
    const results = dec.body.data.batch_results;
    expect(Buffer.from(results[0].plaintext, 'base64').toString()).toBe('one');
    expect(results[1].error).toBeTruthy();
    expect(Buffer.from(results[2].plaintext, 'base64').toString()).toBe('three');
    // All good: 200; partial_failure_response_code turns a partial failure into the asked status.
    expect((await post('decrypt/batch', { batch_input: [{ ciphertext: one.ciphertext }] })).status).toBe(200);
    expect((await post('decrypt/batch', { batch_input: [{ ciphertext: one.ciphertext }, { ciphertext: 'x' }], partial_failure_response_code: 207 })).status).toBe(207);
  });

  it('after a rotate, old ciphertext still decrypts and new encryptions use the new version', async () => {
    await makeKey('rot');
    const v1 = await encrypt('rot', 'before');
    const r = await post('keys/rot/rotate');
    expect(r.status).toBe(200);
    expect(r.body.data.latest_version).toBe(2);
    const v2 = await encrypt('rot', 'after');
    expect(v2.startsWith('vault:v2:')).toBe(true);
    expect(Buffer.from((await decrypt('rot', v1)).body.data.plaintext, 'base64').toString()).toBe('before');
    expect(Buffer.from((await decrypt('rot', v2)).body.data.plaintext, 'base64').toString()).toBe('after');
  });

  it('rewrap moves a ciphertext to the latest version without revealing the plaintext', async () => {
    await makeKey('rw');
    const v1 = await encrypt('rw', 'wrapped value');
    await post('keys/rw/rotate');
    await post('keys/rw/rotate');
    const r = await post('rewrap/rw', { ciphertext: v1 });
    expect(r.status).toBe(200);
    expect(r.body.data.plaintext).toBeUndefined();
    expect(r.body.data.ciphertext.startsWith('vault:v3:')).toBe(true);
    expect(r.body.data.key_version).toBe(3);
    expect(Buffer.from((await decrypt('rw', r.body.data.ciphertext)).body.data.plaintext, 'base64').toString()).toBe('wrapped value');
  });

  it('min_decryption_version refuses older ciphertext with Vault\'s error, and a version below it cannot be set above latest', async () => {
    await makeKey('mdv');
    const v1 = await encrypt('mdv', 'old');
    await post('keys/mdv/rotate');
    const v2 = await encrypt('mdv', 'new');
    const tooHigh = await post('keys/mdv/config', { min_decryption_version: 5 });
    expect(tooHigh).toMatchObject({ status: 400, body: { errors: ['cannot set min decryption version of 5, latest key version is 2'] } });
    expect((await post('keys/mdv/config', { min_decryption_version: 2 })).status).toBe(200);
    const refused = await decrypt('mdv', v1);
    expect(refused).toMatchObject({ status: 400, body: { errors: ['ciphertext or signature version is disallowed by policy (too old)'] } });
    expect((await decrypt('mdv', v2)).status).toBe(200);
    const view = (await call('GET', 'keys/mdv')).body.data;
    expect(view.min_decryption_version).toBe(2);
    expect(Object.keys(view.keys)).toEqual(['2']);
  });

  it('a tampered ciphertext is a 400 (authentication failed), never a 500', async () => {
    for (const name of ['rt-aes256-gcm96', 'rt-chacha20-poly1305', 'rt-rsa-2048']) {
      const ct = await encrypt(name, 'integrity');
      const raw = Buffer.from(ct.slice('vault:v1:'.length), 'base64');
      raw[raw.length - 1] ^= 0x01;
      const r = await decrypt(name, 'vault:v1:' + raw.toString('base64'));
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(400);
    }
    expect((await decrypt('rt-aes256-gcm96', 'vault:v1:AAAA')).status).toBe(400); // shorter than a nonce
    expect((await decrypt('rt-aes256-gcm96', 'vault:v9:AAAA')).body.errors).toEqual(['invalid ciphertext: version is too new']);
  });

  it('malformed base64 is a 400 with Go\'s wording, for plaintext and for the ciphertext body', async () => {
    const p = await post('encrypt/rt-aes256-gcm96', { plaintext: 'aGVsbG8' });
    expect(p.status).toBe(400);
    expect(p.body.errors[0]).toMatch(/^illegal base64 data at input byte \d+$/);
    const c = await decrypt('rt-aes256-gcm96', 'vault:v1:@@@@');
    expect(c).toMatchObject({ status: 400, body: { errors: ['invalid ciphertext: could not decode base64'] } });
    expect((await post('encrypt/rt-aes256-gcm96', {})).body.errors).toEqual(['missing plaintext to encrypt']);
  });

  it('datakey: plaintext gives both forms, wrapped only the ciphertext, which decrypts to the same key', async () => {
    await makeKey('dk');
    const plain = await post('datakey/plaintext/dk', { bits: 512 });
    expect(plain.status).toBe(200);
    expect(Buffer.from(plain.body.data.plaintext, 'base64').length).toBe(64);
    expect(Buffer.from((await decrypt('dk', plain.body.data.ciphertext)).body.data.plaintext, 'base64').equals(Buffer.from(plain.body.data.plaintext, 'base64'))).toBe(true);
    const wrapped = await post('datakey/wrapped/dk');
    expect(wrapped.status).toBe(200);
    expect(wrapped.body.data.plaintext).toBeUndefined();
    const unwrapped = Buffer.from((await decrypt('dk', wrapped.body.data.ciphertext)).body.data.plaintext, 'base64');
    expect(unwrapped.length).toBe(32);
    expect((await post('datakey/other/dk')).body.errors).toEqual(["Invalid path, must be 'plaintext' or 'wrapped'"]);
    expect((await post('datakey/wrapped/dk', { bits: 100 })).body.errors).toEqual(['invalid bit length']);
  });

  it('encrypt to a missing key upserts it only for a caller with create; update alone is refused and makes nothing', async () => {
    const pol = await api(s.addr, 'PUT', 'sys/policy/transit-update-only', { token: s.rootToken, body: { policy: 'path "transit/encrypt/*" { capabilities = ["update"] }' } });
    expect(pol.status, JSON.stringify(pol.body)).toBe(204);
    const tok = await api(s.addr, 'POST', 'auth/token/create', { token: s.rootToken, body: { policies: ['transit-update-only'] } });
    const updater = tok.body.auth.client_token as string;
    const refused = await api(s.addr, 'POST', 'transit/encrypt/not-yet', { token: updater, body: { plaintext: b64('x') } });
    expect(refused.status).toBe(403);
    expect((await call('GET', 'keys/not-yet')).status).toBe(404);
    expect((await api(s.addr, 'POST', 'transit/encrypt/rt-aes256-gcm96', { token: updater, body: { plaintext: b64('x') } })).status).toBe(200);

    const r = await post('encrypt/auto-made', { plaintext: b64('x') });
    expect(r.status).toBe(200);
    expect((await call('GET', 'keys/auto-made')).body.data.type).toBe('aes256-gcm96');
    expect((await post('decrypt/never-made', { ciphertext: r.body.data.ciphertext })).body).toEqual({ errors: ['encryption key not found'] });
  });
});

describe('transit sign / verify / hmac', () => {
  const input = b64('message to sign');

  it('ed25519 signs and verifies; the signature checks with the public key Vault shows', async () => {
    const key = await makeKey('ed', { type: 'ed25519' });
    const sig = await post('sign/ed', { input });
    expect(sig.status).toBe(200);
    expect(sig.body.data.signature).toMatch(/^vault:v1:/);
    expect((await post('verify/ed', { input, signature: sig.body.data.signature })).body.data.valid).toBe(true);
    expect((await post('verify/ed', { input: b64('other'), signature: sig.body.data.signature })).body.data.valid).toBe(false);
    const raw = Buffer.from(key.keys['1'].public_key, 'base64');
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    expect(nodeVerify(null, Buffer.from('message to sign'), pub, Buffer.from(sig.body.data.signature.slice(9), 'base64'))).toBe(true);
  });

  it('ecdsa-p256 signs in asn1 (DER) and jws (r||s, base64url) and verifies each', async () => {
    const key = await makeKey('ec', { type: 'ecdsa-p256' });
    const pub = createPublicKey(key.keys['1'].public_key);
    const der = (await post('sign/ec/sha2-256', { input })).body.data.signature as string;
    expect(nodeVerify('sha256', Buffer.from('message to sign'), { key: pub, dsaEncoding: 'der' }, Buffer.from(der.slice(9), 'base64'))).toBe(true);
    expect((await post('verify/ec/sha2-256', { input, signature: der })).body.data.valid).toBe(true);
    const jws = (await post('sign/ec', { input, marshaling_algorithm: 'jws' })).body.data.signature as string;
    expect(jws.slice(9)).toMatch(/^[A-Za-z0-9_-]{86}$/); // 64 bytes, unpadded base64url
    expect((await post('verify/ec', { input, signature: jws, marshaling_algorithm: 'jws' })).body.data.valid).toBe(true);
    expect((await post('verify/ec', { input: b64('tampered'), signature: jws, marshaling_algorithm: 'jws' })).body.data.valid).toBe(false);
  });

  it('rsa-2048 signs with pss and pkcs1v15 and verifies each (and not across schemes)', { timeout: 60_000 }, async () => {
    const key = await makeKey('rsasig', { type: 'rsa-2048' });
    const pub = createPublicKey(key.keys['1'].public_key);
    const pss = (await post('sign/rsasig', { input, signature_algorithm: 'pss' })).body.data.signature as string;
    const v15 = (await post('sign/rsasig', { input, signature_algorithm: 'pkcs1v15', hash_algorithm: 'sha2-512' })).body.data.signature as string;
    expect((await post('verify/rsasig', { input, signature: pss, signature_algorithm: 'pss' })).body.data.valid).toBe(true);
    expect((await post('verify/rsasig', { input, signature: v15, signature_algorithm: 'pkcs1v15', hash_algorithm: 'sha2-512' })).body.data.valid).toBe(true);
    expect((await post('verify/rsasig', { input, signature: v15, signature_algorithm: 'pss', hash_algorithm: 'sha2-512' })).body.data.valid).toBe(false);
    expect(nodeVerify('sha256', Buffer.from('message to sign'), { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, Buffer.from(pss.slice(9), 'base64'))).toBe(true);
    expect(nodeVerify('sha512', Buffer.from('message to sign'), pub, Buffer.from(v15.slice(9), 'base64'))).toBe(true);
    expect((await post('sign/rt-aes256-gcm96', { input })).body.errors).toEqual(['key type aes256-gcm96 does not support signing']);

    // prehashed: a client-made SHA-256 digest signed with pkcs1v15 is the ordinary signature of the message.
    const digest = createHash('sha256').update('message to sign').digest('base64');
    const pre = (await post('sign/rsasig', { input: digest, prehashed: true, signature_algorithm: 'pkcs1v15' })).body.data.signature as string;
    expect(nodeVerify('sha256', Buffer.from('message to sign'), pub, Buffer.from(pre.slice(9), 'base64'))).toBe(true);
    expect((await post('verify/rsasig', { input: digest, prehashed: true, signature_algorithm: 'pkcs1v15', signature: pre })).body.data.valid).toBe(true);
    expect((await post('sign/rsasig', { input: b64('short'), prehashed: true, signature_algorithm: 'pkcs1v15' })).status).toBe(400);
    expect((await post('sign/ec', { input: digest, prehashed: true })).status).toBe(400); // ECDSA over a given digest: refused, not mis-signed
  });

  it('hmac matches HMAC-SHA256 under the exported hmac key, and verify accepts it and refuses a changed input', async () => {
    await makeKey('mac', { exportable: true });
    const h = await post('hmac/mac', { input });
    expect(h.body.data.hmac).toMatch(/^vault:v1:/);
    const hmacKey = (await call('GET', 'export/hmac-key/mac/1')).body.data.keys['1'];
    const expected = createHmac('sha256', Buffer.from(hmacKey, 'base64')).update('message to sign').digest('base64');
    expect(h.body.data.hmac).toBe(`vault:v1:${expected}`);
    expect((await post('verify/mac', { input, hmac: h.body.data.hmac })).body.data.valid).toBe(true);
    expect((await post('verify/mac', { input: b64('changed'), hmac: h.body.data.hmac })).body.data.valid).toBe(false);
    const h512 = (await post('hmac/mac/sha2-512', { input })).body.data.hmac;
    expect((await post('verify/mac/sha2-512', { input, hmac: h512 })).body.data.valid).toBe(true);
    expect((await post('verify/mac', { input })).body.errors).toEqual(["neither a 'signature' nor an 'hmac' were given to verify"]);
  });

  it('export is refused for a non-exportable key', async () => {
    expect((await call('GET', 'export/encryption-key/rt-aes256-gcm96')).body).toEqual({ errors: ['key is not exportable'] });
  });
});

describe('transit random and hash', () => {
  it('hash of "hello" is the known SHA-256 / SHA3-256 digest', async () => {
    const sha256 = await post('hash/sha2-256', { input: b64('hello') });
    expect(sha256.body.data.sum).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    const sha3 = await post('hash', { input: b64('hello'), algorithm: 'sha3-256', format: 'base64' });
    expect(sha3.body.data.sum).toBe(createHash('sha3-256').update('hello').digest('base64'));
    expect((await post('hash/md5', { input: b64('hello') })).status).toBe(400);
  });

  it('random returns the asked number of bytes in hex or base64', async () => {
    const hex = await post('random/16', { format: 'hex' });
    expect(hex.body.data.random_bytes).toMatch(/^[0-9a-f]{32}$/);
    const dflt = await post('random');
    expect(Buffer.from(dflt.body.data.random_bytes, 'base64').length).toBe(32);
    expect((await post('random/platform/8')).status).toBe(200);
    expect((await post('random', { format: 'base32' })).status).toBe(400);
    expect((await post('random/0')).status).toBe(400);
  });
});
