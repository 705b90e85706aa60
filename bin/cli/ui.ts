// Where command output goes. Commands write through a Ui so tests can capture
// stdout and stderr separately, as Vault's CLI splits them (results on
// stdout; errors, warnings and prompts' chatter on stderr).

export interface Ui {
  /** A line on stdout. */
  out(text: string): void;
  /** Text on stdout with no newline added. */
  raw(text: string): void;
  /** A line on stderr. */
  err(text: string): void;
  /** Text on stderr with no newline added (prompts). */
  errRaw(text: string): void;
  readonly stdoutIsTTY: boolean;
}

export const processUi: Ui = {
  out: (t) => void process.stdout.write(t + '\n'),
  raw: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t + '\n'),
  errRaw: (t) => void process.stderr.write(t),
  get stdoutIsTTY() {
    return process.stdout.isTTY === true;
  },
};

/** Collects output in memory (unit tests). */
export class BufferUi implements Ui {
  stdout = '';
  stderr = '';
  constructor(readonly stdoutIsTTY = false) {}
  out(t: string) {
    this.stdout += t + '\n';
  }
  raw(t: string) {
    this.stdout += t;
  }
  err(t: string) {
    this.stderr += t + '\n';
  }
  errRaw(t: string) {
    this.stderr += t;
  }
}
