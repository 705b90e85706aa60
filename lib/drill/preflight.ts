import { call, until } from './http';
import { clusterName, drInSync, drLag, replStatus, tokenWorks } from './cluster-info';
import type { DrillRun, OtherCluster } from './run-context';
import type { DrillCheck } from './types';

// Preflight: every fact the drill relies on, checked before anything changes,
// each failure explained with its fix. A drill never runs against a cluster
// it has no working token for.
const SYNC_WAIT_MS = 15_000;

/** A performance secondary the primary reports that the user did not name: it is never sent a token. */
export interface UnnamedSecondary {
  addr: string;
  id: string;
}

/**
 * The secondaries that must follow the new primary. Named ones (plan.others)
 * carry the token the user gave for each. Without plan.others they come from
 * the primary's replication status, where a secondary reports its own
 * api_address: a performance secondary there gets no token (its operator, or
 * whoever made it report another address, would collect the primary's token),
 * so it is returned as unnamed for preflight to refuse. Discovered DR
 * secondaries follow with the DR operation token alone, so they carry none.
 */
export async function discoverOthers(run: DrillRun): Promise<{ others: OtherCluster[]; unnamed: UnnamedSecondary[] }> {
  const out: OtherCluster[] = [];
  const unnamed: UnnamedSecondary[] = [];
  if (run.plan.others) {
    for (const o of run.plan.others) {
      const perf = await replStatus(o.addr, 'performance').catch(() => ({}) as Record<string, any>);
      const mode = perf.mode === 'secondary' ? 'performance' : 'dr';
      const st = mode === 'dr' ? await replStatus(o.addr, 'dr').catch(() => ({}) as Record<string, any>) : perf;
      out.push({ ...o, name: o.name ?? (await clusterName(o.addr)) ?? o.addr, mode, secondaryId: st.secondary_id ?? '' });
    }
    return { others: out, unnamed };
  }
  const perf = await replStatus(run.primary.addr, 'performance');
  if (perf.mode === 'primary') for (const s of perf.secondaries ?? []) if (s.api_address) unnamed.push({ addr: s.api_address, id: s.node_id });
  const dr = await replStatus(run.primary.addr, 'dr');
  for (const s of dr.secondaries ?? []) {
    if (!s.api_address || s.node_id === run.secondaryId || sameAddr(s.api_address, run.secondary.addr)) continue;
    out.push({ name: (await clusterName(s.api_address)) ?? s.node_id, addr: s.api_address, token: '', mode: 'dr', secondaryId: s.node_id });
  }
  return { others: out, unnamed };
}

const sameAddr = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function preflight(run: DrillRun): Promise<DrillCheck[]> {
  const { primary: P, secondary: S, plan } = run;
  const checks: DrillCheck[] = [];
  const add = (c: DrillCheck) => {
    checks.push(c);
    run.check('preflight', c);
  };

  const pTok = await tokenWorks(P.addr, P.token);
  add({ name: `token for ${P.name}`, ok: pTok.ok, detail: pTok.detail, fix: `Give a token valid on ${P.name} (-primary-token, or sign in to it).` });
  // DR replicates tokens: a token the primary knows works on the secondary once promoted.
  const sTok = S.token === P.token ? pTok : await tokenWorks(P.addr, S.token);
  add({ name: `token for ${S.name}`, ok: sTok.ok, detail: sTok.ok ? 'known to the primary, so replicated to the DR secondary' : sTok.detail, fix: `Use a token made on ${P.name}: a DR secondary has the primary's tokens.` });
  if (!plan.drOperationToken) add({ name: 'DR operation token', ok: false, detail: 'none given', fix: 'Make a batch DR operation token on the primary beforehand, or generate one with the key holders (operation-token wizard).' });
  else {
    const d = await tokenWorks(P.addr, plan.drOperationToken);
    add(
      d.ok
        ? { name: 'DR operation token', ok: true, detail: `batch token valid on ${P.name}${d.ttl ? `, ${Math.round(d.ttl / 60)} min left` : ''}` }
        : { name: 'DR operation token', ok: true, severity: 'warning', detail: 'not a token the primary knows (an operation token from the wizard is checked only when used)' },
    );
  }
  if (!pTok.ok) return checks;

  const pdr = await replStatus(P.addr, 'dr').catch((e) => ({ error: (e as Error).message }) as Record<string, any>);
  add({ name: `${P.name} is a DR primary`, ok: pdr.mode === 'primary', detail: `DR mode: ${pdr.mode ?? pdr.error}`, fix: `Pick the cluster that is the DR primary, or enable DR replication on ${P.name}.` });
  const sdr = await replStatus(S.addr, 'dr').catch((e) => ({ error: (e as Error).message }) as Record<string, any>);
  run.secondaryId = sdr.secondary_id ?? '';
  add({ name: `${S.name} is its DR secondary`, ok: sdr.mode === 'secondary' && sdr.cluster_id === pdr.cluster_id, detail: `DR mode: ${sdr.mode ?? sdr.error}${sdr.cluster_id && sdr.cluster_id !== pdr.cluster_id ? ' (another replication set)' : ''}`, fix: `Activate ${S.name} as a DR secondary of ${P.name}.` });
  const listed = (pdr.known_secondaries ?? []).includes(run.secondaryId);
  add({ name: 'secondary listed on the primary', ok: listed, detail: listed ? `${run.secondaryId} is a known secondary` : `${run.secondaryId || S.name} is not among ${JSON.stringify(pdr.known_secondaries ?? [])}`, fix: `Generate a new secondary token on ${P.name} and re-join ${S.name} with update-primary.` });
  const link = sdr.state === 'stream-wals' && sdr.connection_state === 'ready';
  add({ name: 'link healthy', ok: link, detail: `state ${sdr.state ?? '?'}, connection ${sdr.connection_state ?? '?'}`, fix: `Wait for ${S.name} to reach stream-wals, or run sys/replication/dr/secondary/recover on it.` });
  if (link) {
    const lag = await drLag(P.addr, S.addr);
    add({ name: 'lag', ok: true, severity: 'warning', detail: lag === null ? 'unknown' : `${lag} WAL entries behind` });
    const root = await until('merkle roots to match', () => drInSync(P.addr, S.addr, run.signal), { timeoutMs: SYNC_WAIT_MS, everyMs: 100, signal: run.signal }).catch(() => null);
    add({ name: 'merkle roots equal', ok: root !== null, detail: root ? `both at ${root.slice(0, 12)}…` : `still differ after ${SYNC_WAIT_MS / 1000} s`, fix: 'Let replication catch up (heavy write load?) and run the preflight again.' });
  }

  const found = await discoverOthers(run).catch(() => ({ others: [], unnamed: [] as UnnamedSecondary[] }));
  run.others = found.others;
  for (const u of found.unnamed)
    add({ name: `performance secondary ${u.addr}`, ok: false, detail: `${P.name} reports ${u.id || 'it'} there; not named, so it gets no token and would not follow: add -other=${u.addr}`, fix: `Name it so the drill re-points it with a token you choose: -other=${u.addr} (token from -other-token, else -token).` });
  for (const o of run.others) {
    if (o.mode === 'dr') {
      add({ name: `${o.name} (DR secondary) will follow`, ok: true, detail: 'with the DR operation token' });
      continue;
    }
    const t = await tokenWorks(o.addr, o.token);
    add({ name: `token for ${o.name} (performance secondary)`, ok: t.ok, detail: t.detail, fix: `Give a token valid on ${o.name}; it must re-point to the new primary.` });
  }

  if (plan.kind === 'unplanned') {
    const ctl = labControl(run);
    const r = await call(ctl.addr, 'GET', 'sys/lab/clusters?list=true', { token: ctl.token });
    const names: string[] = r.body?.data?.keys ?? [];
    add(
      r.status === 404
        ? { name: 'lab control', ok: false, detail: `${ctl.name} was not started by coffer lab (sys/lab answers 404)`, fix: 'An unplanned failover stops the primary without warning: only on clusters started by `coffer lab`. Run a planned switchover instead.' }
        : { name: 'lab control', ok: r.status === 200 && names.includes(P.name), detail: r.status === 200 ? `the lab runs ${names.join(', ')}` : r.error, fix: `The lab must know ${P.name} by that name, and the token needs sudo.` },
    );
  }
  return checks;
}

/** Where sys/lab/clusters/:name/stop|start is called: a cluster that stays up (never the one stopped, if possible). */
export function labControl(run: DrillRun): { name: string; addr: string; token: string } {
  if (run.plan.labControl) return { name: run.plan.labControl.name ?? run.plan.labControl.addr, ...run.plan.labControl };
  const perf = run.others.find((o) => o.mode === 'performance');
  return perf ?? run.primary;
}
