// Named points in enabling and bootstrapping a secondary where the
// atomic-bootstrap regression test kills the process (kill -9 semantics:
// nothing after the point runs, nothing is flushed). The entry point turns
// COFFER_TEST_CRASH_AT into a CrashPoint option (server/main.ts); engine code
// only calls it and never reads the environment (STYLE.md "Logging and config").
export const CRASH_STEPS = [
  /** enable: the activation token is redeemed at the primary, nothing is written here yet. */
  'enable-redeemed',
  /** enable: wipe, bundle and the bootstrapping state are committed; the run loop has not started. */
  'enable-committed',
  /** bootstrap: the primary recorded the handout and sent the keys; nothing is committed here. */
  'bootstrap-received',
  /** bootstrap: keyring, seal config, re-sealed secrets and the state are committed; the key is not adopted in memory, no ack sent. */
  'bootstrap-committed',
  /** bootstrap: the first merkle sync with the primary is complete. */
  'synced',
] as const;

export type CrashStep = (typeof CRASH_STEPS)[number];
export type CrashPoint = (step: CrashStep) => void;

export const noCrash: CrashPoint = () => {};

/** A CrashPoint that calls `die` at `step` (none: never). Throws for a step that does not exist, so a typo fails loudly. */
export function crashPointAt(step: string | undefined, die: () => void): CrashPoint {
  if (!step) return noCrash;
  if (!(CRASH_STEPS as readonly string[]).includes(step)) throw new Error(`unknown crash step "${step}"; one of: ${CRASH_STEPS.join(', ')}`);
  return (s) => {
    if (s === step) die();
  };
}
