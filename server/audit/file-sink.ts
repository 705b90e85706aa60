import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { badRequest } from '../errors';
import type { AuditSink, DeviceOptions } from './sink';

// The `file` device (vault builtin/audit/file): appends one JSON line per
// entry. file_path "stdout" writes to the server's stdout, "discard" drops
// everything (for testing). The file is opened lazily and again after a
// failed write or a SIGHUP, so logrotate's rename-then-HUP gives a new file.
export const DEFAULT_FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export function parseFileMode(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_FILE_MODE;
  if (!/^[0-7]{1,4}$/.test(raw)) throw badRequest(`unable to parse 'mode': "${raw}" is not an octal file mode`);
  return parseInt(raw, 8);
}

export function fileSink(options: DeviceOptions): AuditSink {
  const path = options.file_path ?? options.path;
  if (!path) throw badRequest("file_path is required");
  if (path === 'discard') return { write: async () => {}, reopen() {}, close() {} };
  if (path === 'stdout') return { write: async (line) => void process.stdout.write(line), reopen() {}, close() {} };
  return new FileSink(path, parseFileMode(options.mode));
}

class FileSink implements AuditSink {
  private fd: number | null = null;

  constructor(
    readonly path: string,
    private readonly mode: number,
  ) {
    // Sanity check at enable, as Vault does: a path we cannot open is refused.
    try {
      this.open();
    } catch (err) {
      throw badRequest(`sanity check failed; unable to open "${path}" for writing: ${(err as Error).message}`);
    }
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true, mode: DIR_MODE });
    const fd = openSync(this.path, 'a', this.mode || DEFAULT_FILE_MODE);
    // Mode 0000 means "leave the mode alone" (Vault); otherwise an existing file is brought to it.
    if (this.mode) chmodSync(this.path, this.mode);
    this.fd = fd;
    return fd;
  }

  async write(line: string): Promise<void> {
    try {
      writeSync(this.open(), line);
    } catch {
      // One retry on a fresh descriptor (the file may have been rotated away).
      this.reopen();
      writeSync(this.open(), line);
    }
  }

  reopen(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.fd = null;
  }

  close(): void {
    this.reopen();
  }
}
