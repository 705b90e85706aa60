'use client';
// One drill in this tab: starts the engine with the plan, collects its
// events into state (steps, canary seconds, log lines, the report), turns
// its confirm() into a pending question for the type-to-confirm dialog, and
// aborts through an AbortController. While it runs, the console frame holds
// still (drill-activity) and leaving the page asks first.
import { useCallback, useEffect, useRef, useState } from 'react';
import { runDrill } from '@/lib/drill/engine';
import type { CanarySecond, DrillPlan, DrillReport, DrillStepId, DrillStepRecord } from '@/lib/drill/types';
import { setDrillActive } from './drill-activity';

export const LOG_KEEP = 200;

export interface PendingConfirm {
  step: DrillStepId;
  clusterName: string;
  action: string;
  answer: (yes: boolean) => void;
}

export interface DrillLogLine {
  at: string;
  step: DrillStepId;
  message: string;
}

export interface DrillRunState {
  running: boolean;
  steps: Partial<Record<DrillStepId, DrillStepRecord>>;
  series: CanarySecond[];
  log: DrillLogLine[];
  report: DrillReport | null;
  /** Set when the engine itself threw (it should not: failures end in the report). */
  crash: string | null;
  aborting: boolean;
}

const IDLE: DrillRunState = { running: false, steps: {}, series: [], log: [], report: null, crash: null, aborting: false };

export function useDrillRun() {
  const [state, setState] = useState<DrillRunState>(IDLE);
  const [pending, setPending] = useState<PendingConfirm | null>(null);
  const controller = useRef<AbortController | null>(null);
  const pendingRef = useRef<PendingConfirm | null>(null);

  const start = useCallback((plan: DrillPlan) => {
    const ctl = new AbortController();
    controller.current = ctl;
    setState({ ...IDLE, running: true });
    setDrillActive(true);
    void runDrill(plan, {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'step') setState((s) => ({ ...s, steps: { ...s.steps, [e.step.id]: e.step } }));
        else if (e.type === 'canary') setState((s) => ({ ...s, series: [...s.series, e.second] }));
        else if (e.type === 'log') setState((s) => ({ ...s, log: [...s.log, { at: e.at, step: e.step, message: e.message }].slice(-LOG_KEEP) }));
      },
      confirm: (step, clusterName, action) =>
        new Promise<boolean>((resolve) => {
          const p: PendingConfirm = {
            step,
            clusterName,
            action,
            answer: (yes) => {
              pendingRef.current = null;
              setPending(null);
              resolve(yes);
            },
          };
          pendingRef.current = p;
          setPending(p);
        }),
    })
      .then((report) => setState((s) => ({ ...s, running: false, aborting: false, report, steps: Object.fromEntries(report.steps.map((r) => [r.id, r])) })))
      .catch((err) => setState((s) => ({ ...s, running: false, aborting: false, crash: err instanceof Error ? err.message : String(err) })))
      .finally(() => {
        controller.current = null;
        setDrillActive(false);
      });
  }, []);

  const abort = useCallback(() => {
    setState((s) => ({ ...s, aborting: true }));
    controller.current?.abort(new Error('aborted from the console'));
    // A question on screen would keep the engine waiting: the abort answers it.
    pendingRef.current?.answer(false);
  }, []);

  const reset = useCallback(() => setState(IDLE), []);

  // Leaving or reloading the page mid-drill loses its only copy: ask first; and never leave the frame held.
  useEffect(() => {
    if (!state.running) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [state.running]);
  useEffect(() => () => setDrillActive(false), []);

  return { state, pending, start, abort, reset };
}
