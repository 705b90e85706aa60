import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { pair } from '../support/replication';

// sys/generate-root and the DR operation-token attempt are unauthenticated and
// end in the most powerful credentials there are. Attack: start an attempt
// with an OTP the server cannot encode with, or finish one with wrong shares,
// and hope a token is minted anyway. Vault checks the OTP at start (400 "OTP
// string is wrong length") and mints only after the shares verify.
let primary: ConfiguredServer;
let drSecondary: DevServer;
let rootToken = '';
let keys: string[] = [];

const accessors = async () => {
  const r = await api(primary.addr, 'LIST', 'auth/token/accessors', { token: rootToken });
  expect(r.status).toBe(200);
  return (r.body.data.keys as string[]).slice().sort();
};
const OTP_LENGTH = 28;
const base62 = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);

beforeAll(async () => {
  [primary, drSecondary] = await Promise.all([startConfiguredServer({ name: 'genroot' }), startDevServer()]);
  const init = await api(primary.addr, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
  rootToken = init.body.root_token;
  keys = init.body.keys;
  await api(primary.addr, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
  await api(primary.addr, 'PUT', 'sys/unseal', { body: { key: keys[1] } });
});
afterAll(async () => {
  await Promise.all([primary?.stop(), drSecondary?.stop()]);
});

describe('sys/generate-root', () => {
  it('an OTP of the wrong length or encoding is refused at start (400) and no attempt begins', async () => {
    expect((await api(primary.addr, 'GET', 'sys/generate-root/attempt')).body).toMatchObject({ started: false, otp_length: OTP_LENGTH });
    for (const otp of ['short', 'x'.repeat(OTP_LENGTH + 1), 'é' + 'a'.repeat(OTP_LENGTH - 1), 12345]) {
      const r = await api(primary.addr, 'PUT', 'sys/generate-root/attempt', { body: { otp } });
      expect(r.status, JSON.stringify(otp)).toBe(400);
      expect(r.body.errors).toHaveLength(1);
      expect((await api(primary.addr, 'GET', 'sys/generate-root/attempt')).body.started).toBe(false);
    }
    const wrong = await api(primary.addr, 'PUT', 'sys/generate-root/attempt', { body: { otp: 'short' } });
    expect(wrong.body.errors[0]).toBe('OTP string is wrong length');
  });

  it('a pgp_key is refused at start, malformed or not', async () => {
    for (const pgp_key of ['!!not base64!!', Buffer.from('some public key').toString('base64')]) {
      const r = await api(primary.addr, 'PUT', 'sys/generate-root/attempt', { body: { pgp_key } });
      expect(r.status).toBe(400);
      expect((await api(primary.addr, 'GET', 'sys/generate-root/attempt')).body.started).toBe(false);
    }
  });

  it('wrong key shares finish no attempt and leave no root token behind', async () => {
    const before = await accessors();
    const start = await api(primary.addr, 'PUT', 'sys/generate-root/attempt', { body: { otp: base62(OTP_LENGTH) } });
    expect(start.status).toBe(200);
    const { nonce } = start.body;
    const wrongSets = [
      [keys[0], randomBytes(33).toString('hex')],
      [randomBytes(33).toString('hex'), randomBytes(33).toString('base64')],
    ];
    for (const [a, b] of wrongSets) {
      expect((await api(primary.addr, 'PUT', 'sys/generate-root/update', { body: { nonce, key: a } })).body).toMatchObject({ progress: 1 });
      const r = await api(primary.addr, 'PUT', 'sys/generate-root/update', { body: { nonce, key: b } });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.encoded_token).toBeUndefined();
      expect((await api(primary.addr, 'GET', 'sys/generate-root/attempt')).body).toMatchObject({ started: true, progress: 0, complete: false, encoded_token: '' });
    }
    expect(await accessors()).toEqual(before);
    expect((await api(primary.addr, 'DELETE', 'sys/generate-root/attempt')).status).toBe(204);
  });

  it('the real shares with a valid OTP mint exactly one root token, which decodes and works', async () => {
    const before = await accessors();
    const start = await api(primary.addr, 'PUT', 'sys/generate-root/attempt', { body: {} });
    const { otp, nonce } = start.body;
    expect(otp).toHaveLength(OTP_LENGTH);
    await api(primary.addr, 'PUT', 'sys/generate-root/update', { body: { nonce, key: keys[2] } });
    const done = await api(primary.addr, 'PUT', 'sys/generate-root/update', { body: { nonce, key: keys[0] } });
    expect(done.body).toMatchObject({ complete: true });
    const enc = Buffer.from(done.body.encoded_token, 'base64');
    const token = Buffer.from(enc.map((b, i) => b ^ otp.charCodeAt(i))).toString();
    const self = await api(primary.addr, 'GET', 'auth/token/lookup-self', { token });
    expect(self.body.data.policies).toEqual(['root']);
    const after = await accessors();
    expect(after.filter((a) => !before.includes(a))).toEqual([self.body.data.accessor]);
  });
});

describe('DR operation-token attempt on a DR secondary', () => {
  const base = 'sys/replication/dr/secondary/generate-operation-token';

  beforeAll(async () => {
    await pair({ addr: primary.addr, token: rootToken }, { addr: drSecondary.addr, token: drSecondary.rootToken }, 'dr', 'dr-genroot');
  });

  it('an OTP of the wrong length or a pgp_key is refused at start (400) and no attempt begins', async () => {
    for (const body of [{ otp: 'short' }, { otp: 'y'.repeat(OTP_LENGTH + 4) }, { pgp_key: 'AAAA' }]) {
      const r = await api(drSecondary.addr, 'PUT', `${base}/attempt`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((await api(drSecondary.addr, 'GET', `${base}/attempt`)).body.started).toBe(false);
    }
  });

  it('wrong key shares complete no attempt and hand out no operation token', async () => {
    const otp = base62(OTP_LENGTH);
    const start = await api(drSecondary.addr, 'PUT', `${base}/attempt`, { body: { otp } });
    expect(start.status).toBe(200);
    const { nonce } = start.body;
    await api(drSecondary.addr, 'PUT', `${base}/update`, { body: { nonce, key: randomBytes(33).toString('hex') } });
    const r = await api(drSecondary.addr, 'PUT', `${base}/update`, { body: { nonce, key: randomBytes(33).toString('hex') } });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.encoded_token).toBeUndefined();
    expect((await api(drSecondary.addr, 'GET', `${base}/attempt`)).body).toMatchObject({ started: true, progress: 0, complete: false, encoded_token: '' });
    // The primary's real shares still complete it, and the result authorises DR operations.
    await api(drSecondary.addr, 'PUT', `${base}/update`, { body: { nonce, key: keys[1] } });
    const done = await api(drSecondary.addr, 'PUT', `${base}/update`, { body: { nonce, key: keys[2] } });
    expect(done.body).toMatchObject({ complete: true });
    const decoded = await api(drSecondary.addr, 'PUT', `${base}/decode`, { body: { encoded_token: done.body.encoded_token, otp } });
    const token = decoded.body.data.token;
    expect(token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    const reindex = await api(drSecondary.addr, 'POST', 'sys/replication/dr/secondary/reindex', { body: { dr_operation_token: token } });
    expect(reindex.status, JSON.stringify(reindex.body)).toBe(200);
  });
});
