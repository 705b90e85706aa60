import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';

// sys/unseal is unauthenticated: anyone who reaches the port can feed it keys.
// Wrong keys must answer Vault's 400 {"errors":[…]} and, once a full set has
// been tried, reset progress so the real operators start clean; never a 500,
// and the real shares must still open the barrier afterwards.
let server: ConfiguredServer;
let keys: string[] = [];
let keysB64: string[] = [];
let rootToken = '';

const unseal = (key: unknown) => api(server.addr, 'PUT', 'sys/unseal', { body: { key } });
const status = async () => (await api(server.addr, 'GET', 'sys/seal-status')).body;
const share33 = (x?: number) => {
  const b = randomBytes(33);
  if (x !== undefined) b[32] = x;
  return b;
};

beforeAll(async () => {
  server = await startConfiguredServer({ name: 'unseal-shares' });
  const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
  keys = init.body.keys;
  keysB64 = init.body.keys_base64;
  rootToken = init.body.root_token;
});
afterAll(async () => {
  await server?.stop();
});

describe('unseal with wrong key shares', () => {
  it('three random 33-byte shares answer 400 and reset progress; the real key still unseals', async () => {
    // Random x coordinates collide about once in 85 triples; force one collision so both failure paths run every time.
    const triples = [[share33(7), share33(7), share33(9)], ...Array.from({ length: 15 }, () => [share33(), share33(), share33()])];
    for (const [a, b, c] of triples) {
      expect((await unseal(a.toString('hex'))).body).toMatchObject({ sealed: true, progress: 1 });
      expect((await unseal(b.toString('base64'))).body).toMatchObject({ sealed: true, progress: 2 });
      const third = await unseal(c.toString('hex'));
      expect(third.status, JSON.stringify(third.body)).toBe(400);
      expect(third.body.errors).toHaveLength(1);
      expect(third.body.errors[0]).toMatch(/^(Unseal failed, invalid key|failed to compute combined key: .+)$/);
      expect(await status()).toMatchObject({ sealed: true, progress: 0, nonce: '' });
    }
  });

  it('garbage, wrong lengths, duplicates and mixed sizes never answer 500', async () => {
    const attempts: unknown[] = [
      'not a key',
      '',
      '   ',
      42,
      null,
      { key: 'x' },
      ['a'],
      'zz',
      randomBytes(16).toString('hex'),
      randomBytes(31).toString('base64'),
      randomBytes(34).toString('hex'),
      randomBytes(200).toString('base64'),
      '=====',
      'ab'.repeat(33) + '=',
      // a valid-looking 32-byte key then 33-byte shares: the lengths differ when combined
      randomBytes(32).toString('hex'),
      share33().toString('hex'),
      share33().toString('hex'),
    ];
    for (const key of attempts) {
      const r = await unseal(key);
      expect(r.status, `${JSON.stringify(key)} → ${r.status} ${JSON.stringify(r.body)}`).toBeLessThan(500);
      if (r.status !== 200) expect(r.body.errors?.length, JSON.stringify(r.body)).toBe(1);
    }
    // A repeated share is ignored, as in Vault: progress does not move.
    const dup = share33().toString('hex');
    const first = (await unseal(dup)).body.progress;
    expect((await unseal(dup)).body.progress).toBe(first);
    expect((await api(server.addr, 'PUT', 'sys/unseal', { body: { reset: true } })).body).toMatchObject({ progress: 0 });
    expect((await api(server.addr, 'GET', 'sys/health?sealedcode=299')).status).toBe(299);
  });

  it('after all that, the real shares unseal and the data behind the barrier is intact', async () => {
    expect((await unseal(keys[1])).body).toMatchObject({ sealed: true, progress: 1 });
    expect((await unseal(keysB64[3])).body).toMatchObject({ sealed: true, progress: 2 });
    expect((await unseal(keys[4])).body).toMatchObject({ sealed: false, progress: 0 });
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: rootToken });
    expect(self.status).toBe(200);
    expect(self.body.data.policies).toEqual(['root']);
  });
});
