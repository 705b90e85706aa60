import { api } from './cluster';

// Helpers for replication tests: set pairs up over the real API and poll
// until a condition holds (replication is asynchronous; tests wait for state,
// never sleep a fixed time and hope).
export type Mode = 'dr' | 'performance';

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function replStatus(addr: string, mode: Mode): Promise<Record<string, any>> {
  const r = await api(addr, 'GET', `sys/replication/${mode}/status`);
  if (r.status !== 200) throw new Error(`status ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.data;
}

export async function enablePrimary(addr: string, token: string, mode: Mode, body: Record<string, unknown> = {}) {
  const r = await api(addr, 'POST', `sys/replication/${mode}/primary/enable`, { token, body });
  if (r.status !== 200) throw new Error(`primary enable: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function secondaryToken(addr: string, token: string, mode: Mode, id: string, ttl?: string): Promise<string> {
  const r = await api(addr, 'POST', `sys/replication/${mode}/primary/secondary-token`, { token, body: { id, ...(ttl ? { ttl } : {}) } });
  if (r.status !== 200) throw new Error(`secondary-token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.wrap_info.token;
}

export async function enableSecondary(addr: string, token: string, mode: Mode, activation: string) {
  const r = await api(addr, 'POST', `sys/replication/${mode}/secondary/enable`, { token, body: { token: activation } });
  if (r.status !== 200) throw new Error(`secondary enable: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Primary + secondary of one mode, waiting until the secondary streams. */
export async function pair(primary: { addr: string; token: string }, secondary: { addr: string; token: string }, mode: Mode, id: string) {
  const p = await replStatus(primary.addr, mode);
  if (p.mode !== 'primary') await enablePrimary(primary.addr, primary.token, mode);
  const tok = await secondaryToken(primary.addr, primary.token, mode, id);
  await enableSecondary(secondary.addr, secondary.token, mode, tok);
  await waitFor(`${id} to stream WALs`, async () => (await replStatus(secondary.addr, mode)).state === 'stream-wals');
}

/** Wait until the secondary's merkle root equals the primary's for this mode. */
export async function converged(primaryAddr: string, secondaryAddr: string, mode: Mode, timeoutMs = 30_000): Promise<string> {
  return waitFor(
    'merkle roots to converge',
    async () => {
      const [p, s] = await Promise.all([replStatus(primaryAddr, mode), replStatus(secondaryAddr, mode)]);
      return p.merkle_root === s.merkle_root && s.state === 'stream-wals' ? p.merkle_root : null;
    },
    timeoutMs,
  );
}

/**
 * A batch DR operation token made on the primary beforehand (reference §2.4,
 * seed 002): a batch-token role limited to a policy that may promote and
 * re-point DR secondaries. It works on any member of the set after a failover.
 */
export async function drOperationBatchToken(primaryAddr: string, rootToken: string, ttl = '8h'): Promise<string> {
  await api(primaryAddr, 'PUT', 'sys/policies/acl/dr-ops', {
    token: rootToken,
    body: { policy: 'path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }\npath "sys/replication/dr/secondary/update-primary" { capabilities = ["update"] }' },
  });
  await api(primaryAddr, 'POST', 'auth/token/roles/dr-ops', { token: rootToken, body: { token_type: 'batch', orphan: true, renewable: false, allowed_policies: 'dr-ops' } });
  const r = await api(primaryAddr, 'POST', 'auth/token/create/dr-ops', { token: rootToken, body: { ttl, policies: ['dr-ops'] } });
  if (r.status !== 200) throw new Error(`dr-ops token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.auth.client_token;
}
