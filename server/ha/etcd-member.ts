import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';
import type { Logger } from '../log';
import { EtcdError } from './etcd-error';
import { etcdTlsOptions, type EtcdTlsOptions } from './etcd-http';
import { writePeerTls } from './etcd-peer-tls';
import { forgetMemberPid, reclaimDataDir, recordMemberPid } from './stale-member';

// Coffer supervises its own etcd member, the way k3s runs embedded etcd: it
// finds Debian's binary on PATH, keeps the member's data under the storage
// `path`, authenticates peer traffic with certificates from the cluster's CA,
// and starts, health-checks and stops the process itself. The member's own
// log goes to Coffer's logger at debug; its last lines go into start-up errors
// because "etcd exited" alone never says why.

export const DEFAULT_START_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 20_000;
/** etcd's defaults; a loaded 2-core box keeps them (shorter timeouts cause spurious elections). */
export const DEFAULT_HEARTBEAT_MS = 100;
export const DEFAULT_ELECTION_MS = 1_000;
/**
 * Raised from etcd's 128 ops / 1.5 MiB: one HA log batch is one txn holding
 * every carried key it writes (ha-design decision 2). etcd warns above 10 MiB.
 */
export const MAX_TXN_OPS = 4_096;
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const HEALTH_POLL_MS = 200;
const HEALTH_CALL_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 30;
/** What etcd 3.4 logs when this member was removed from its cluster (it then exits); matched as lines arrive, since its shutdown logs push it out of the tail. */
const REMOVED_LINE = /permanently removed from the cluster|member has already been removed|the member has been removed/;
/** etcd reads ETCD_* variables as flags; the member gets none, so only the flags below count. */
const NO_ENV = {} as NodeJS.ProcessEnv;

export interface MemberExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EtcdMemberOptions {
  name: string;
  /** The storage stanza's `path`: etcd's data lives in <path>/etcd, its peer TLS files in <path>/etcd-tls. */
  storagePath: string;
  /** Where this member serves clients (host:port; https under clientCertAuth); Coffer talks to its own member here. */
  clientUrl: string;
  /** Where this member serves peers (https://host:port when peerTls is given): what the others dial. */
  peerUrl: string;
  /** What etcd binds for peers, when it differs from peerUrl (etcd binds IPs only; peerUrl may name a host). */
  listenPeerUrl?: string;
  /** Every member's name → peer URL, this one included (ignored once the data dir exists). */
  initialCluster: Record<string, string>;
  /** 'new' to form a cluster, 'existing' to join one after `member add`. */
  clusterState: 'new' | 'existing';
  clusterToken?: string;
  peerTls?: { caCertPem: string; certPem: string; keyPem: string };
  /**
   * Serve clients over TLS (https, whatever clientUrl's scheme) and only to a
   * client presenting a certificate from the peer CA: the node's own peer
   * certificate. Needs peerTls. Without it any local user could reach the
   * member's client port and delete keys or take the leader key.
   */
  clientCertAuth?: boolean;
  logger: Logger;
  /** The PATH to search for `etcd` (main passes process.env.PATH; engine code reads no env). */
  pathEnv: string;
  startTimeoutMs?: number;
  heartbeatMs?: number;
  electionMs?: number;
}

/** The `etcd` executable on `pathEnv`, or a not_installed error naming the package. */
export function findEtcdBinary(pathEnv: string): string {
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'etcd');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new EtcdError('not_installed', 'storage "raft" needs the etcd binary, and none was found on PATH: install it with `apt-get install etcd-server`');
}

export class EtcdMember {
  private child: ChildProcess | undefined;
  private readonly tail: string[] = [];
  private removedSeen = false;
  private exitPromise: Promise<MemberExit> = Promise.resolve({ code: null, signal: null });
  private readonly log: Logger;

  constructor(private readonly opts: EtcdMemberOptions) {
    this.log = opts.logger.child({ component: 'ha.etcd-member', member: opts.name });
  }

  /** The options this member was made with (a copy: a restarted supervisor reuses them). */
  get options(): EtcdMemberOptions {
    return { ...this.opts };
  }
  get dataDir(): string {
    return join(this.opts.storagePath, 'etcd');
  }
  /** Where clients reach this member (https under clientCertAuth). */
  get clientUrl(): string {
    return this.opts.clientCertAuth ? this.opts.clientUrl.replace(/^http:/, 'https:') : this.opts.clientUrl;
  }
  /** What a client of this member trusts and presents: the peer CA and this node's peer certificate (none without clientCertAuth). */
  get clientTls(): EtcdTlsOptions | undefined {
    const t = this.opts.peerTls;
    if (!this.opts.clientCertAuth || !t) return undefined;
    return { caPem: t.caCertPem, certPem: t.certPem, keyPem: t.keyPem, serverCommonName: this.opts.name };
  }
  get pid(): number | undefined {
    const c = this.child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }
  /**
   * Resolves once the process is gone. etcd handles SIGTERM by running its
   * shutdown (closing the WAL, leaving raft cleanly) and then re-raising the
   * signal, so a clean stop reads { code: null, signal: 'SIGTERM' }, not code 0.
   */
  get exited(): Promise<MemberExit> {
    return this.exitPromise;
  }

  /** Spawns the member and resolves once it reports healthy (it has a leader and serves reads). */
  async start(): Promise<void> {
    if (this.pid) throw new EtcdError('invalid_argument', `etcd member ${this.opts.name} is already running`);
    const binary = findEtcdBinary(this.opts.pathEnv);
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    await reclaimDataDir(this.opts.storagePath, this.dataDir, this.log);
    const child = spawn(binary, this.args(), { stdio: ['ignore', 'pipe', 'pipe'], env: NO_ENV });
    this.child = child;
    if (child.pid) recordMemberPid(this.opts.storagePath, child.pid);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        forgetMemberPid(this.opts.storagePath);
        resolve({ code, signal });
      });
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    for (const stream of [child.stdout, child.stderr]) this.capture(stream);
    const started = Date.now();
    await this.waitHealthy(this.opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    this.log.debug({ ms: Date.now() - started }, 'etcd member healthy');
  }

  /** SIGTERM, then wait for the exit (SIGKILL after the timeout). */
  async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Sends a signal without waiting (tests: SIGKILL, SIGSTOP, SIGCONT). */
  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  /** etcd said this member was removed from its cluster (member remove): it exits and must not be restarted. */
  get removedFromCluster(): boolean {
    return this.removedSeen;
  }

  /** The member's last log lines (newest last). */
  logTail(): string[] {
    return [...this.tail];
  }

  private args(): string[] {
    const o = this.opts;
    const cluster = Object.entries(o.initialCluster).map(([n, u]) => `${n}=${u}`).join(',');
    const args = [
      `--name=${o.name}`,
      `--data-dir=${this.dataDir}`,
      `--listen-client-urls=${this.clientUrl}`,
      `--advertise-client-urls=${this.clientUrl}`,
      `--listen-peer-urls=${o.listenPeerUrl ?? o.peerUrl}`,
      `--initial-advertise-peer-urls=${o.peerUrl}`,
      `--initial-cluster=${cluster}`,
      `--initial-cluster-state=${o.clusterState}`,
      `--initial-cluster-token=${o.clusterToken ?? 'coffer'}`,
      `--heartbeat-interval=${o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS}`,
      `--election-timeout=${o.electionMs ?? DEFAULT_ELECTION_MS}`,
      `--max-txn-ops=${MAX_TXN_OPS}`,
      `--max-request-bytes=${MAX_REQUEST_BYTES}`,
      '--logger=zap',
      '--log-outputs=stderr',
    ];
    if (o.peerTls) {
      const files = writePeerTls(join(o.storagePath, 'etcd-tls'), o.peerTls.caCertPem, { certPem: o.peerTls.certPem, keyPem: o.peerTls.keyPem, serial: '' });
      args.push(`--peer-cert-file=${files.certFile}`, `--peer-key-file=${files.keyFile}`, `--peer-trusted-ca-file=${files.caFile}`, '--peer-client-cert-auth');
      // The same pair and CA for clients: etcd's JSON gateway dials its own gRPC server with this certificate as well (it has clientAuth).
      if (o.clientCertAuth) args.push(`--cert-file=${files.certFile}`, `--key-file=${files.keyFile}`, `--trusted-ca-file=${files.caFile}`, '--client-cert-auth');
    } else if (o.peerUrl.startsWith('https:')) {
      throw new EtcdError('invalid_argument', `etcd member ${o.name}: an https peer URL needs peerTls`);
    } else if (o.clientCertAuth) {
      throw new EtcdError('invalid_argument', `etcd member ${o.name}: client certificate authentication needs peerTls`);
    }
    return args;
  }

  private capture(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.tail.push(line);
        if (REMOVED_LINE.test(line)) this.removedSeen = true;
        if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
        this.log.debug({ etcd: line }, 'etcd');
      }
    });
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exitPromise.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw this.startError(`exited with code ${this.child?.exitCode ?? this.child?.signalCode}`);
      if (await healthy(this.clientUrl, this.clientTls)) return;
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
    await this.stop();
    throw this.startError(`was not healthy within ${timeoutMs} ms`);
  }

  private startError(what: string): EtcdError {
    const lines = this.tail.slice(-10).join('\n');
    return new EtcdError('start_failed', `etcd member ${this.opts.name} ${what}; its last log lines:\n${lines}`);
  }
}

/** GET /health: {"health":"true"} once the member has a leader and its store answers. */
function healthy(clientUrl: string, tls: EtcdTlsOptions | undefined): Promise<boolean> {
  const url = new URL('/health', clientUrl);
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: HEALTH_CALL_TIMEOUT_MS, ...etcdTlsOptions(tls) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && /"health"\s*:\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
