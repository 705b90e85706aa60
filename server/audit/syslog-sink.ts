import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { badRequest } from '../errors';
import type { AuditSink, DeviceOptions } from './sink';

// The `syslog` device (vault builtin/audit/syslog): each entry becomes one
// message to the local syslog daemon. Node cannot speak to a unix datagram
// socket itself, so a long-lived util-linux `logger` reads our lines on stdin
// and sends each as one message to /dev/log. No local socket, no device.
export const SYSLOG_SOCKET = '/dev/log';
export const DEFAULT_FACILITY = 'AUTH';
export const DEFAULT_TAG = 'vault';
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

export function syslogSink(options: DeviceOptions, socketPath = SYSLOG_SOCKET): AuditSink {
  const facility = (options.facility || DEFAULT_FACILITY).toLowerCase();
  if (!FACILITIES.includes(facility)) throw badRequest(`unknown syslog facility "${options.facility}"`);
  const tag = options.tag || DEFAULT_TAG;
  let isSocket = false;
  try {
    isSocket = statSync(socketPath).isSocket();
  } catch {
    /* absent */
  }
  if (!isSocket) throw badRequest(`no local syslog socket at ${socketPath}: the syslog audit device needs a syslog daemon listening there`);
  return new LoggerProcessSink(socketPath, facility, tag);
}

class LoggerProcessSink implements AuditSink {
  private child: ChildProcess | null = null;

  constructor(
    private readonly socketPath: string,
    private readonly facility: string,
    private readonly tag: string,
  ) {
    this.start();
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn('logger', ['--socket-errors=on', '-u', this.socketPath, '-t', this.tag, '-p', `${this.facility}.info`], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    child.on('error', () => {
      if (this.child === child) this.child = null;
    });
    child.stdin!.on('error', () => {});
    this.child = child;
    return child;
  }

  async write(line: string): Promise<void> {
    const child = this.start();
    await new Promise<void>((resolve, reject) => child.stdin!.write(line.endsWith('\n') ? line : line + '\n', (err) => (err ? reject(err) : resolve())));
  }

  reopen(): void {
    this.close();
  }

  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }
}
