'use client';
// /ui/vault/replication/drills/new: the DR drill as a stepper — Plan,
// Preflight, Run, Fail back, Report. The engine (lib/drill/engine.ts) does
// every step; this screen shows its events live, asks the type-to-confirm
// question before each destructive action, and can abort at any step.
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { STEP_TITLES } from '@/lib/drill/types';
import { currentPhase, timelineOf, type DrillPhase } from '@/lib/drill-view/drill-phases';
import { useToken } from '@/components/shell/use-token';
import { ConfirmDialog } from '@/components/replication/confirm-dialog';
import { CARD_CLASS, DANGER_BUTTON, LINK_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from '@/components/replication/form-styles';
import { CanaryChart } from './canary-chart';
import { CheckList } from './check-list';
import { DrillBreadcrumb } from './drill-breadcrumb';
import { DrillLog } from './drill-log';
import { DrillReportView } from './drill-report-view';
import { PlanForm, type PlanChoice } from './plan-form';
import { StepTimeline } from './step-timeline';
import { StepperNav } from './stepper-nav';
import { useDrillRun } from './use-drill-run';

const PHASE_HEADINGS: Record<DrillPhase, string> = {
  plan: 'Plan the drill',
  preflight: 'Preflight checks',
  run: 'Run: disaster and promotion',
  failback: 'Fail back to the original primary',
  report: 'Report',
};

export function DrillStepper() {
  const token = useToken();
  const params = useSearchParams();
  const hinted = { primary: params.get('primary') ?? undefined, secondary: params.get('secondary') ?? undefined };
  const { state, pending, start, abort, reset } = useDrillRun();
  const [choice, setChoice] = useState<PlanChoice | null>(null);
  const [started, setStarted] = useState(false);
  const [continued, setContinued] = useState(false);
  const [askAbort, setAskAbort] = useState(false);

  const preflight = state.steps.preflight;
  const preflightFailed = preflight?.state === 'failed';
  const enginePhase: DrillPhase = !started ? 'plan' : state.report ? (preflightFailed ? 'preflight' : 'report') : currentPhase(state.steps);
  // The engine goes straight from preflight to its canaries; the screen stays on the checks until the user moves on.
  const phase: DrillPhase = enginePhase === 'run' && !continued ? 'preflight' : enginePhase;
  const failed = !!state.report && state.report.outcome !== 'passed';
  // The disaster step starts with the type-to-confirm question; the disaster itself happens when that step ends.
  const disasterAt = state.report?.rto.disasterAt ?? state.steps.disaster?.endedAt ?? null;
  // Live, the second in which the new primary first acknowledged a canary; the report has the exact moment.
  const firstNewAckAt = state.report?.rto.firstNewAckAt ?? state.series.find((s) => s.ackedByNew > 0)?.at ?? null;

  function begin(c: PlanChoice) {
    setChoice(c);
    setStarted(true);
    setContinued(false);
    start(c.plan);
  }

  function backToPlan() {
    reset();
    setStarted(false);
  }

  return (
    <>
      <DrillBreadcrumb current="New drill" />
      <div className="mb-4 flex flex-wrap items-center justify-between gap-4 print:hidden">
        <h1 className="text-2xl font-semibold tracking-tight text-gray-900">DR drill</h1>
        {state.running ? (
          <button type="button" className={DANGER_BUTTON} onClick={() => setAskAbort(true)} disabled={state.aborting} aria-busy={state.aborting}>
            {state.aborting ? 'Aborting…' : 'Abort drill'}
          </button>
        ) : null}
      </div>
      <StepperNav current={phase} failed={failed && phase !== 'report'} />
      <h2 className="mb-4 text-lg font-semibold text-gray-900 print:hidden">{PHASE_HEADINGS[phase]}</h2>

      {phase === 'plan' ? <PlanForm sessionToken={token} hinted={hinted} initial={choice} onStart={begin} /> : null}

      {phase === 'preflight' ? (
        <div className="space-y-4">
          <p role="status" className="text-sm text-gray-700" data-testid="preflight-status">
            {!preflight || preflight.state === 'running' || preflight.state === 'pending'
              ? 'Checking tokens, the DR link, lag, merkle roots and the secondaries…'
              : preflightFailed
                ? 'Preflight failed: nothing was changed. Fix what is marked below, then run it again.'
                : 'Preflight passed. Canary writes to the drill mount have started; the next screen asks before anything is demoted or stopped.'}
          </p>
          <CheckList checks={preflight?.checks ?? []} label="Preflight checks" />
          {preflightFailed ? (
            <div className="flex gap-3">
              <button type="button" className={PRIMARY_BUTTON} onClick={backToPlan}>
                Edit the plan
              </button>
            </div>
          ) : preflight?.state === 'done' ? (
            <button type="button" className={PRIMARY_BUTTON} onClick={() => setContinued(true)}>
              Continue to the run
            </button>
          ) : null}
        </div>
      ) : null}

      {phase === 'run' || phase === 'failback' ? (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          <div className="space-y-6">
            <section aria-labelledby="live-chart" className={CARD_CLASS}>
              <h3 id="live-chart" className="mb-2 text-base font-semibold text-gray-900">
                Canaries, live
              </h3>
              <CanaryChart series={state.series} disasterAt={disasterAt} firstNewAckAt={firstNewAckAt} />
            </section>
            {state.log.length ? <DrillLog lines={state.log} /> : null}
          </div>
          <StepTimeline steps={timelineOf(state.steps)} />
        </div>
      ) : null}

      {phase === 'report' && state.report ? (
        <div className="space-y-6">
          <DrillReportView report={state.report} />
          <div className="flex flex-wrap gap-3 print:hidden">
            <Link href="/vault/replication/drills" className={SECONDARY_BUTTON}>
              Drill history
            </Link>
            <button type="button" className={SECONDARY_BUTTON} onClick={backToPlan}>
              Plan another drill
            </button>
          </div>
        </div>
      ) : null}

      {state.crash ? (
        <p role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          The drill engine stopped unexpectedly: {state.crash}. Check each cluster&apos;s replication status before trying again;{' '}
          <Link href="/vault/replication/dr" className={LINK_CLASS}>
            Disaster Recovery
          </Link>{' '}
          shows this cluster&apos;s.
        </p>
      ) : null}

      {pending && phase !== 'preflight' ? (
        <ConfirmDialog
          open
          danger
          title={`${STEP_TITLES[pending.step]}: ${pending.clusterName}`}
          body={
            <>
              <p>
                Next the drill will <strong>{pending.action}</strong>.
              </p>
              <p className="mt-2">Aborting instead stops the drill here; its report says what state is left and how to get back.</p>
            </>
          }
          confirmText={pending.clusterName}
          confirmLabel={STEP_TITLES[pending.step]}
          cancelLabel="Abort the drill"
          onConfirm={() => pending.answer(true)}
          onCancel={() => {
            setContinued(true);
            pending.answer(false);
          }}
          pending={false}
          error={null}
        />
      ) : null}

      <ConfirmDialog
        open={askAbort && state.running}
        danger
        title="Abort the drill?"
        body={
          <>
            <p>The drill stops at the step it is on{state.steps.disaster?.startedAt ? ', with the clusters as they are now' : '; nothing has been demoted or stopped yet'}.</p>
            <p className="mt-2">The report then says exactly which state is left and the commands that restore the original roles.</p>
          </>
        }
        confirmLabel="Abort drill"
        cancelLabel="Keep running"
        onConfirm={() => {
          setAskAbort(false);
          setContinued(true);
          abort();
        }}
        onCancel={() => setAskAbort(false)}
        pending={false}
        error={null}
      />
    </>
  );
}
