'use client';
// A drill's report, on the stepper's last screen and at
// /ui/vault/replication/drills/<id>: outcome, RPO and RTO against their
// targets, the timeline, the canary chart, the verifications, and what an
// early stop left behind. "Download JSON" saves the report as the engine
// returned it; "Print" uses the print stylesheet (no console chrome).
import type { DrillReport } from '@/lib/drill/types';
import { CARD_CLASS, SECONDARY_BUTTON } from '@/components/replication/form-styles';
import { CanaryChart } from './canary-chart';
import { CheckList, PassFail } from './check-list';
import { LeftStatePanel } from './left-state-panel';
import { PrintStyles } from './print-styles';
import { StepTimeline, formatTime } from './step-timeline';

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const KIND_LABEL = { planned: 'Planned switchover', unplanned: 'Unplanned failover' } as const;
const OUTCOME_STYLE = { passed: 'bg-green-600 text-white', failed: 'bg-danger text-white', aborted: 'bg-amber-500 text-white' } as const;

function downloadJson(report: DrillReport) {
  const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `drill-${report.id}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function DrillReportView({ report }: { report: DrillReport }) {
  const { plan, rpo, rto } = report;
  const after = (phase: 'after-promotion' | 'after-failback') =>
    report.verifications.filter((v) => v.phase === phase).map((v) => ({ name: v.name, ok: v.ok, detail: v.detail }));
  return (
    <article aria-labelledby="drill-report-title" className="drill-report space-y-6" data-testid="drill-report">
      <PrintStyles />
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h2 id="drill-report-title" className="text-xl font-semibold text-gray-900">
            {KIND_LABEL[plan.kind]}: {plan.primary.name} → {plan.secondary.name}
          </h2>
          <p className="mt-1 text-sm text-gray-600">
            Drill <span className="font-mono">{report.id}</span>, {new Date(report.startedAt).toUTCString()} — {formatTime(report.endedAt)} UTC
            {report.storedOn ? <> · kept in the drill history of {report.storedOn}</> : <> · not stored in a drill history</>}
          </p>
        </div>
        <span className={`rounded-md px-3 py-1 text-sm font-bold uppercase tracking-wide ${OUTCOME_STYLE[report.outcome]}`} data-testid="drill-outcome">
          {report.outcome}
        </span>
      </header>
      {report.reason ? (
        <p role={report.outcome === 'passed' ? undefined : 'alert'} className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {report.reason}
        </p>
      ) : null}

      <div className="grid gap-4 md:grid-cols-2">
        <Objective
          title="RPO — recovery point"
          testId="rpo"
          value={rpo.lost === 0 ? '0 canaries lost' : `${rpo.lost} canaries lost`}
          met={rpo.met}
          target={rpo.targetMs === 0 ? 'target: no acknowledged write lost' : `target ≤ ${formatMs(rpo.targetMs)} of writes`}
          detail={
            rpo.lost === 0
              ? 'Every canary the old primary acknowledged is on the new primary.'
              : `Acknowledged by the old primary between ${formatTime(rpo.firstLostAt)} and ${formatTime(rpo.lastLostAt)}, absent on the new one: a window of ${formatMs(rpo.windowMs)}.`
          }
          extra={rpo.lagAtDisasterWals !== null ? `Lag at the disaster: ${rpo.lagAtDisasterWals} WALs${rpo.lagAtDisasterMs !== null ? ` (${formatMs(rpo.lagAtDisasterMs)})` : ''}.` : null}
        />
        <Objective
          title="RTO — recovery time"
          testId="rto"
          value={formatMs(rto.ms)}
          met={rto.met}
          target={`target ≤ ${formatMs(rto.targetMs)}`}
          detail={rto.ms === null ? 'The new primary never acknowledged a canary.' : `From the disaster (${formatTime(rto.disasterAt)}) to the first canary the new primary acknowledged (${formatTime(rto.firstNewAckAt)}).`}
          extra={null}
        />
      </div>

      <section aria-labelledby="drill-canaries" className={CARD_CLASS}>
        <h3 id="drill-canaries" className="text-base font-semibold text-gray-900">
          Canaries
        </h3>
        <p className="mb-3 mt-1 text-sm text-gray-600">
          {report.canaries.written} written, {report.canaries.acknowledged} acknowledged ({report.canaries.ackedByOld} by the old primary,{' '}
          {report.canaries.ackedByNew} by the new one), {plan.canaryRate}/s to <span className="font-mono">{plan.canaryMount}/</span>.
        </p>
        <CanaryChart series={report.canaries.series} disasterAt={rto.disasterAt} firstNewAckAt={rto.firstNewAckAt} />
      </section>

      {report.leftState ? <LeftStatePanel left={report.leftState} /> : null}

      <section aria-labelledby="drill-verifications" className="space-y-3">
        <h3 id="drill-verifications" className="text-base font-semibold text-gray-900">
          Verification
        </h3>
        <h4 className="text-sm font-semibold text-gray-700">On {plan.secondary.name}, after promotion</h4>
        <CheckList checks={after('after-promotion')} label="Verification after promotion" />
        {plan.failBack ? (
          <>
            <h4 className="text-sm font-semibold text-gray-700">On {plan.primary.name}, after fail back</h4>
            <CheckList checks={after('after-failback')} label="Verification after fail back" />
          </>
        ) : null}
      </section>

      <section aria-labelledby="drill-timeline" className="space-y-3">
        <h3 id="drill-timeline" className="text-base font-semibold text-gray-900">
          Timeline
        </h3>
        <StepTimeline steps={report.steps} />
      </section>

      <div className="flex flex-wrap gap-3 print:hidden">
        <button type="button" className={SECONDARY_BUTTON} onClick={() => downloadJson(report)}>
          Download JSON
        </button>
        <button type="button" className={SECONDARY_BUTTON} onClick={() => window.print()}>
          Print
        </button>
      </div>
    </article>
  );
}

function Objective(p: { title: string; testId: string; value: string; met: boolean; target: string; detail: string; extra: string | null }) {
  return (
    <section aria-label={p.title} className={`${CARD_CLASS} break-inside-avoid`} data-testid={p.testId}>
      <div className="flex items-start justify-between gap-3">
        <h3 className="text-sm font-semibold text-gray-700">{p.title}</h3>
        <PassFail ok={p.met} okText="met" failText="missed" />
      </div>
      <p className="mt-2 text-3xl font-semibold tabular-nums text-gray-900" data-testid={`${p.testId}-value`}>
        {p.value}
      </p>
      <p className="text-xs text-gray-600">{p.target}</p>
      <p className="mt-2 text-sm text-gray-700">{p.detail}</p>
      {p.extra ? <p className="mt-1 text-xs text-gray-600">{p.extra}</p> : null}
    </section>
  );
}
