import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// Found by the chaos checker (`npm run chaos`, a `recover` fault aimed at a
// DR secondary): POST sys/replication/dr/secondary/recover answered 403
// "permission denied" without a Vault token, and no Vault token works on a
// DR secondary — so the DR-secondary variant of recover could never be used.
// Vault lists it among the unauthenticated paths (vault/logical_system.go
// PathsSpecial). It restarts the secondary's replication: the link is dropped
// and comes back by itself, and replication carries on.
let primary: DevServer;
let drSecondary: DevServer;

beforeAll(async () => {
  [primary, drSecondary] = await Promise.all([startDevServer(), startDevServer()]);
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: drSecondary.addr, token: drSecondary.rootToken }, 'dr', 'dr-recover');
}, 120_000);
afterAll(async () => {
  await Promise.all([primary?.stop(), drSecondary?.stop()]);
});

it('dr-secondary-recover-needs-no-token: recover on a DR secondary answers without a Vault token and replication resumes', async () => {
  const before = await replStatus(drSecondary.addr, 'dr');
  const r = await api(drSecondary.addr, 'POST', 'sys/replication/dr/secondary/recover', { body: {} });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.warnings?.[0]).toMatch(/restarted/);
  // The secondary comes back to streaming by itself and keeps applying what the primary writes.
  await api(primary.addr, 'POST', 'secret/data/after-recover', { token: primary.rootToken, body: { data: { v: 1 } } });
  await waitFor('the DR secondary to stream again', async () => (await replStatus(drSecondary.addr, 'dr')).state === 'stream-wals');
  await converged(primary.addr, drSecondary.addr, 'dr');
  const after = await replStatus(drSecondary.addr, 'dr');
  expect(after.last_remote_wal).toBeGreaterThan(before.last_remote_wal);
  expect(after.mode).toBe('secondary');
}, 60_000);

it('dr-secondary-recover-only-on-a-dr-secondary: the same path on the primary is refused, and plain recover still needs a token', async () => {
  const onPrimary = await api(primary.addr, 'POST', 'sys/replication/dr/secondary/recover', { body: {} });
  expect(onPrimary.status).toBe(400);
  expect(onPrimary.body.errors[0]).toBe('Not a DR secondary');
  expect((await api(primary.addr, 'POST', 'sys/replication/recover', { body: {} })).status).toBe(403);
  expect((await api(primary.addr, 'POST', 'sys/replication/recover', { token: primary.rootToken, body: {} })).status).toBe(200);
  expect((await replStatus(primary.addr, 'dr')).mode).toBe('primary'); // nothing changed on the primary
});
