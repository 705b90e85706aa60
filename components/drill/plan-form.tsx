'use client';
// The drill's first screen: which DR primary is "lost" and which DR
// secondary takes over, planned switchover or unplanned failover (offered
// only where `coffer lab` can stop the primary), the RPO and RTO targets,
// where the DR operation token comes from, and a token for every cluster the
// drill acts on — a drill never runs against a cluster without one.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId, useMemo, useState } from 'react';
import { labControlProblem } from '@/lib/api/drills';
import type { DrillKind, DrillPlan } from '@/lib/drill/types';
import { CARD_CLASS, INPUT_CLASS, LINK_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from '@/components/replication/form-styles';
import { Field } from '@/components/replication/field';
import { ReplicationSkeleton } from '@/components/replication/replication-skeleton';
import { ApiErrorAlert } from '@/components/replication/api-error-alert';
import { OperationTokenWizard } from '@/components/replication/manage/operation-token-wizard';
import { useKnownClusters, type DrillCandidate } from './use-known-clusters';

/** Targets the issue aims at: a planned switchover loses nothing and is back within 5 s; an unplanned failover within 10 s. */
export const DEFAULT_TARGETS_S: Record<DrillKind, { rpo: number; rto: number }> = { planned: { rpo: 0, rto: 5 }, unplanned: { rpo: 5, rto: 10 } };

type TokenSource = 'batch' | 'wizard';

export interface PlanChoice {
  plan: DrillPlan;
  names: Record<string, string>;
}

function label(c: DrillCandidate): string {
  return c.name ? `${c.name} — ${c.addr}` : c.addr;
}

export function PlanForm({ sessionToken, hinted, initial, onStart }: { sessionToken: string; hinted: { primary?: string; secondary?: string }; initial: PlanChoice | null; onStart: (c: PlanChoice) => void }) {
  const id = useId();
  const known = useKnownClusters(sessionToken, [hinted.primary, hinted.secondary].filter((a): a is string => !!a));
  const clusters = known.data ?? [];
  const primaries = clusters.filter((c) => !c.problem && c.drMode === 'primary');
  const secondaries = clusters.filter((c) => !c.problem && c.drMode === 'secondary');
  const unreachable = clusters.filter((c) => c.problem);

  const [primary, setPrimary] = useState(initial?.plan.primary.addr ?? '');
  const [secondary, setSecondary] = useState(initial?.plan.secondary.addr ?? '');
  const [kind, setKind] = useState<DrillKind>(initial?.plan.kind ?? 'planned');
  const [rpo, setRpo] = useState(String((initial?.plan.targets.rpoMs ?? 0) / 1000));
  const [rto, setRto] = useState(String((initial?.plan.targets.rtoMs ?? DEFAULT_TARGETS_S.planned.rto * 1000) / 1000));
  const [source, setSource] = useState<TokenSource>('batch');
  const [opToken, setOpToken] = useState(initial?.plan.drOperationToken ?? '');
  const [failBack, setFailBack] = useState(initial?.plan.failBack ?? true);
  const [tokens, setTokens] = useState<Record<string, string>>(() => {
    const t: Record<string, string> = {};
    if (initial) for (const c of [initial.plan.primary, initial.plan.secondary, ...(initial.plan.others ?? [])]) t[c.addr] = c.token;
    return t;
  });
  const [tried, setTried] = useState(false);

  // Preselect what a link asked for, else this console's own cluster, else the only choice there is.
  useEffect(() => {
    if (!primary) {
      const p =
        primaries.find((c) => c.addr === hinted.primary) ??
        primaries.find((c) => c.addr === window.location.origin) ??
        (primaries.length === 1 ? primaries[0] : undefined);
      if (p) setPrimary(p.addr);
    }
  }, [primaries, primary, hinted.primary]);
  const primaryC = clusters.find((c) => c.addr === primary);
  const ownSecondaries = secondaries.filter((s) => !primaryC || primaryC.peers.includes(s.addr) || s.peers.includes(primaryC.addr));
  useEffect(() => {
    if (!secondary) {
      const s = ownSecondaries.find((c) => c.addr === hinted.secondary) ?? (ownSecondaries.length === 1 ? ownSecondaries[0] : undefined);
      if (s) setSecondary(s.addr);
    }
  }, [ownSecondaries, secondary, hinted.secondary]);
  const secondaryC = clusters.find((c) => c.addr === secondary);
  const others = useMemo(() => (primaryC ? clusters.filter((c) => c.addr !== secondary && c.addr !== primary && primaryC.peers.includes(c.addr)) : []), [clusters, primaryC, primary, secondary]);

  const lab = useQuery({
    queryKey: ['drill', 'lab-control', primary, tokens[primary] ?? sessionToken],
    queryFn: ({ signal }) => labControlProblem(primary, tokens[primary] ?? sessionToken, signal),
    enabled: !!primary,
  });
  const labProblem = !primary ? 'Choose the DR primary first.' : lab.isPending ? 'Asking the primary for its lab control endpoint…' : lab.data;
  useEffect(() => {
    if (kind === 'unplanned' && labProblem && !lab.isPending) setKind('planned');
  }, [kind, labProblem, lab.isPending]);

  function chooseKind(k: DrillKind) {
    setKind(k);
    setRpo(String(DEFAULT_TARGETS_S[k].rpo));
    setRto(String(DEFAULT_TARGETS_S[k].rto));
  }

  const acting = [primaryC, secondaryC, ...others].filter((c): c is DrillCandidate => !!c);
  const tokenOf = (addr: string) => tokens[addr] ?? sessionToken;
  const problems: string[] = [];
  if (!primaryC) problems.push('Choose the DR primary.');
  if (!secondaryC) problems.push('Choose the DR secondary.');
  if (!opToken.trim()) problems.push('Provide a DR operation token: paste a batch DR token or generate one with the key holders.');
  for (const c of acting) if (!tokenOf(c.addr).trim()) problems.push(`Provide a token for ${c.name ?? c.addr}: a drill never acts on a cluster you have no token for.`);
  const rpoS = Number(rpo);
  const rtoS = Number(rto);
  if (!(rpoS >= 0) || !(rtoS > 0)) problems.push('Targets: RPO at least 0 s, RTO more than 0 s.');

  function submit() {
    setTried(true);
    if (problems.length || !primaryC || !secondaryC) return;
    const ref = (c: DrillCandidate) => ({ addr: c.addr, token: tokenOf(c.addr).trim(), ...(c.name ? { name: c.name } : {}) });
    const names: Record<string, string> = {};
    for (const c of acting) names[c.addr] = c.name ?? c.addr;
    onStart({
      names,
      plan: {
        kind,
        primary: ref(primaryC),
        secondary: ref(secondaryC),
        others: others.map(ref),
        drOperationToken: opToken.trim(),
        targets: { rpoMs: Math.round(rpoS * 1000), rtoMs: Math.round(rtoS * 1000) },
        failBack,
        // The history lives on the cluster serving this console ("local to the cluster that ran it").
        recordOn: { addr: window.location.origin, token: sessionToken },
      },
    });
  }

  if (known.isPending) return <ReplicationSkeleton label="Looking for clusters" />;
  if (known.isError) return <ApiErrorAlert error={known.error} prefix="Could not look for clusters:" />;

  const manageHref = primaryC && primaryC.addr !== window.location.origin ? `${primaryC.addr}/ui/vault/replication/dr/manage` : null;

  return (
    // Not a <form>: the operation-token wizard inside has forms of its own, and their submits would bubble into this one.
    <div role="form" aria-label="Drill plan" className="space-y-6">
      <section aria-labelledby={`${id}-clusters`} className={`${CARD_CLASS} space-y-4`}>
        <h2 id={`${id}-clusters`} className="text-base font-semibold text-gray-900">
          Clusters
        </h2>
        {primaries.length === 0 ? (
          <p role="alert" className="rounded-md border border-dashed border-gray-300 px-4 py-6 text-center text-sm text-gray-600">
            No DR primary is known to this console. Enable Disaster Recovery replication on a cluster, or add the clusters to the{' '}
            <a href="/ui/wall" className={LINK_CLASS}>
              status wall
            </a>
            .
          </p>
        ) : null}
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="DR primary" help="The cluster the drill takes away: demoted (planned) or stopped without warning (unplanned).">
            {(c) => (
              <select {...c} value={primary} onChange={(e) => (setPrimary(e.target.value), setSecondary(''))} className={INPUT_CLASS}>
                <option value="">Choose…</option>
                {primaries.map((p) => (
                  <option key={p.addr} value={p.addr}>
                    {label(p)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="DR secondary"
            help={ownSecondaries.length === 0 && primary ? 'No DR secondary of this primary is known. Add one on its Secondaries tab.' : 'The cluster promoted to DR primary.'}
          >
            {(c) => (
              <select {...c} value={secondary} onChange={(e) => setSecondary(e.target.value)} className={INPUT_CLASS}>
                <option value="">Choose…</option>
                {ownSecondaries.map((s) => (
                  <option key={s.addr} value={s.addr}>
                    {label(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {others.length ? (
          <p className="text-sm text-gray-700">
            Also re-pointed to the new primary and back: {others.map((o) => o.name ?? o.addr).join(', ')} (the primary&apos;s other secondaries).
          </p>
        ) : null}
        {unreachable.length ? (
          <details className="text-sm text-gray-600">
            <summary className="cursor-pointer">{unreachable.length} known cluster(s) could not be asked</summary>
            <ul className="mt-2 list-disc pl-5">
              {unreachable.map((u) => (
                <li key={u.addr}>
                  <span className="font-mono">{u.addr}</span>: {u.problem}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>

      <fieldset className={`${CARD_CLASS} space-y-3`}>
        <legend className="px-1 text-base font-semibold text-gray-900">Kind</legend>
        <KindChoice id={`${id}-planned`} checked={kind === 'planned'} onChange={() => chooseKind('planned')} title="Planned switchover" text="Demote the primary, then promote the secondary. Works against any real deployment." />
        <KindChoice
          id={`${id}-unplanned`}
          checked={kind === 'unplanned'}
          onChange={() => chooseKind('unplanned')}
          disabled={!!labProblem}
          title="Unplanned failover"
          text="Stop the primary without warning, then promote the secondary. Only on clusters started by `coffer lab`."
          reason={labProblem ?? undefined}
        />
      </fieldset>

      <section aria-labelledby={`${id}-targets`} className={`${CARD_CLASS} space-y-4`}>
        <h2 id={`${id}-targets`} className="text-base font-semibold text-gray-900">
          Targets
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="RPO target (seconds)" help="Recovery point objective: how old the newest lost write may be. 0 means no acknowledged write may be lost.">
            {(c) => <input {...c} type="number" min={0} step="0.1" inputMode="decimal" value={rpo} onChange={(e) => setRpo(e.target.value)} className={INPUT_CLASS} />}
          </Field>
          <Field label="RTO target (seconds)" help="Recovery time objective: from the disaster to the first write the new primary acknowledges.">
            {(c) => <input {...c} type="number" min={0} step="0.1" inputMode="decimal" value={rto} onChange={(e) => setRto(e.target.value)} className={INPUT_CLASS} />}
          </Field>
        </div>
        <label className="flex items-center gap-2 text-sm text-gray-800">
          <input type="checkbox" checked={failBack} onChange={(e) => setFailBack(e.target.checked)} className="h-4 w-4 accent-brand" />
          Fail back afterwards: re-join {primaryC?.name ?? 'the old primary'} as DR secondary, then switch the roles back
        </label>
      </section>

      <fieldset className={`${CARD_CLASS} space-y-4`}>
        <legend className="px-1 text-base font-semibold text-gray-900">DR operation token</legend>
        <div className="flex flex-wrap gap-6 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" name={`${id}-source`} checked={source === 'batch'} onChange={() => setSource('batch')} className="h-4 w-4 accent-brand" />
            Batch DR operation token made beforehand
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name={`${id}-source`} checked={source === 'wizard'} onChange={() => setSource('wizard')} className="h-4 w-4 accent-brand" />
            Operation-token wizard with key holders
          </label>
        </div>
        {source === 'batch' ? (
          <p className="text-sm text-gray-700">
            No batch token yet? Create one with{' '}
            {manageHref ? (
              <a href={manageHref} target="_blank" rel="noreferrer" className={LINK_CLASS}>
                Create a batch DR operation token
              </a>
            ) : (
              <Link href="/vault/replication/dr/manage" target="_blank" className={LINK_CLASS}>
                Create a batch DR operation token
              </Link>
            )}{' '}
            on the DR primary&apos;s Manage tab; it replicates to the secondaries.
          </p>
        ) : secondaryC ? (
          <OperationTokenWizard
            addr={secondaryC.addr}
            onToken={setOpToken}
            description={`The holders of the primary's unseal key portions build a DR operation token on ${secondaryC.name ?? secondaryC.addr}.`}
            placedIn="Placed in the DR operation token field of this plan."
          />
        ) : (
          <p className="text-sm text-gray-600">Choose the DR secondary first: the wizard runs on it.</p>
        )}
        <Field label="DR operation token" help="Used to promote the DR secondary and to re-point secondaries. Kept in this tab only; reports never contain tokens.">
          {(c) => <input {...c} type="password" autoComplete="off" spellCheck={false} value={opToken} onChange={(e) => setOpToken(e.target.value)} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
      </fieldset>

      <section aria-labelledby={`${id}-tokens`} className={`${CARD_CLASS} space-y-4`}>
        <h2 id={`${id}-tokens`} className="text-base font-semibold text-gray-900">
          Tokens
        </h2>
        <p className="text-sm text-gray-600">One per cluster the drill acts on. Each defaults to the token you signed in with; preflight checks that it works.</p>
        {acting.length === 0 ? <p className="text-sm text-gray-600">Choose the clusters first.</p> : null}
        <div className="grid gap-4 md:grid-cols-2">
          {acting.map((c) => (
            <Field key={c.addr} label={`Token for ${c.name ?? c.addr}`} help={c === secondaryC ? "A primary token: DR replicates it, so it works once this cluster is promoted." : c.addr}>
              {(ctl) => (
                <input
                  {...ctl}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  value={tokenOf(c.addr)}
                  onChange={(e) => setTokens((t) => ({ ...t, [c.addr]: e.target.value }))}
                  className={`${INPUT_CLASS} font-mono`}
                />
              )}
            </Field>
          ))}
        </div>
      </section>

      {tried && problems.length ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <ul className="list-disc pl-5">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="flex flex-wrap justify-end gap-3">
        <Link href="/vault/replication/drills" className={SECONDARY_BUTTON}>
          Cancel
        </Link>
        <button type="button" onClick={submit} className={PRIMARY_BUTTON}>
          Start preflight
        </button>
      </div>
    </div>
  );
}

function KindChoice(p: { id: string; checked: boolean; onChange: () => void; disabled?: boolean; title: string; text: string; reason?: string }) {
  return (
    <div className={`flex gap-3 rounded-md border p-3 ${p.checked ? 'border-brand bg-blue-50/50' : 'border-gray-200'} ${p.disabled ? 'opacity-70' : ''}`}>
      <input id={p.id} type="radio" name="drill-kind" checked={p.checked} disabled={p.disabled} onChange={p.onChange} aria-describedby={`${p.id}-text`} className="mt-1 h-4 w-4 accent-brand" />
      <div>
        <label htmlFor={p.id} className="text-sm font-semibold text-gray-900">
          {p.title}
        </label>
        <p id={`${p.id}-text`} className="text-sm text-gray-600">
          {p.text}
          {p.reason ? <span className="mt-1 block text-amber-800">Not available: {p.reason}</span> : null}
        </p>
      </div>
    </div>
  );
}
