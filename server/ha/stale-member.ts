import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';

// An etcd member outlives a Coffer process killed with SIGKILL (nothing can
// forward that signal), and it keeps the data dir's bbolt lock, so the next
// Coffer on the same `path` would wait forever for a member it cannot start.
// The supervisor records the member's pid beside the data dir and, on start,
// kills a recorded process that is still an etcd on *this* data dir (checked
// in /proc, so a recycled pid is left alone).

const PID_FILE = 'etcd.pid';
const GONE_POLL_MS = 50;
const GONE_TIMEOUT_MS = 10_000;

export function recordMemberPid(storagePath: string, pid: number): void {
  writeFileSync(join(storagePath, PID_FILE), `${pid}\n`, { mode: 0o600 });
}

export function forgetMemberPid(storagePath: string): void {
  rmSync(join(storagePath, PID_FILE), { force: true });
}

/** Kills a leftover member on `dataDir`, if any, and waits until it is gone. */
export async function reclaimDataDir(storagePath: string, dataDir: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(storagePath, PID_FILE), 'utf8').trim());
  } catch {
    return; // no record: no member was left running by us
  }
  if (Number.isSafeInteger(pid) && pid > 0 && isEtcdOn(pid, dataDir)) {
    log.warn({ pid }, 'an etcd member from an earlier run still holds the data dir; stopping it');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
    const deadline = Date.now() + GONE_TIMEOUT_MS;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, GONE_POLL_MS));
  }
  forgetMemberPid(storagePath);
}

function isEtcdOn(pid: number, dataDir: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return alive(pid) && args.includes(`--data-dir=${dataDir}`);
  } catch {
    return false;
  }
}

/** Running (a zombie waiting for a parent that never reaps it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
