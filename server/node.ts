import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Core } from './core/core';
import { createApiHandler } from './http/api-handler';
import { connectionEdge } from './http/connection-edge';
import { METRICS_PATH, serveMetricsUnauthenticated } from './http/metrics-unauthenticated';
import type { MetricsSettings } from './telemetry/settings';
import { armWriteDeadline, resolveHttpTimeouts, type HttpTimeouts } from './http/listener-timeouts';
import { attachProtocolReplies } from './http/protocol-replies';
import { attachStatusFeed, DEFAULT_FEED_PATH } from './http/status-feed';
import { clusterStatusSource } from './replication/status-source';
import { sendJson } from './http/respond';
import { serveStorageFaults, STORAGE_FAULTS_PATH } from './http/storage-faults';
import type { Logger } from './log';
import { wireReplication } from './replication';
import type { ReplicationManager } from './replication/manager';
import type { CrashPoint } from './replication/crash-points';
import { secureDataDir } from './storage/file-modes';
import { SqliteBackend } from './storage/sqlite';
import type { UserLockoutDefaults } from './core/user-lockout-config';
import { HaSlot } from './ha/ha-slot';
import { startRaft, stopRaft, wireRaft, type RaftNodeOptions, type RaftParts } from './ha/raft-wiring';
import { supervisedHa } from './ha/raft-ha';
import { withHa } from './ha/ha-gate';
import { sealOnForeignKeyring } from './ha/ha-keyring-follow';
import { stampHaIndex } from './ha/ha-forward';
import { startEtcdStorageHa } from './ha/ha-etcd-storage';
import type { EtcdStorageConfig } from './config-etcd';

export interface NodeOptions {
  dataDir: string;
  listen: { host: string; port: number };
  tls?: { certFile: string; keyFile: string };
  apiAddr: string;
  clusterAddr: string;
  clusterName: string;
  /** storage "raft" node_id: this node's name among its cluster's peers. */
  nodeId: string;
  /** The config file's user_lockout stanzas. */
  userLockouts?: UserLockoutDefaults;
  ui: boolean;
  uiDir: string;
  logger: Logger;
  logRetention?: number;
  /** Storage's max_entry_size in bytes (default 1 MiB). */
  maxEntrySize?: number;
  /** The listener's http_* timeouts that are set (ms); the rest take Vault's defaults. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Browser origins besides the API's own that may open a token-authenticated status feed. */
  statusFeedAllowedOrigins?: string[];
  /** The telemetry stanzas: Prometheus retention, unauthenticated sys/metrics (Vault's defaults when absent). */
  metrics?: MetricsSettings;
  /** Test-only: where to kill the process during enable/bootstrap (replication/crash-points.ts). */
  crashPoint?: CrashPoint;
  /** Test-only (-dev-faults): serve storage's fault switches at sys/storage/faults (http/storage-faults.ts). */
  devFaults?: boolean;
  /** storage "raft": join, peers and the supervised etcd member (started only once the node is part of a multi-node cluster). */
  raft?: RaftNodeOptions;
  /** storage "etcd": this node is one of an HA cluster whose log is in that etcd cluster. */
  etcd?: EtcdStorageConfig;
  /** disable_performance_standby = true: standbys forward reads too (default: they serve them). */
  disablePerformanceStandby?: boolean;
}

export interface CofferNode {
  core: Core;
  replication: ReplicationManager;
  storage: SqliteBackend;
  /** Empty on a single node; the HA runtime fills it (ha/ha-runtime.ts startHaRuntime). */
  ha: HaSlot;
  server: Server;
  port: number;
  close(): Promise<void>;
}

export const STORAGE_FILE = 'coffer.db';

/** One node of one cluster: its own SQLite file, its API listener, optionally the console. */
export async function startNode(opts: NodeOptions): Promise<CofferNode> {
  const looser = secureDataDir(opts.dataDir);
  if (looser !== null) opts.logger.warn({ path: opts.dataDir, was: looser.toString(8), now: '700' }, 'data directory was accessible to other users: permissions tightened');
  const storage = new SqliteBackend({
    path: join(opts.dataDir, STORAGE_FILE),
    logRetention: opts.logRetention,
    groupCommit: true,
    maxEntrySize: opts.maxEntrySize,
  });
  let replication!: ReplicationManager;
  let raft: RaftParts | undefined;
  const ha = new HaSlot(!opts.disablePerformanceStandby);
  const core = new Core(
    storage,
    {
      clusterName: opts.clusterName,
      nodeId: opts.nodeId,
      apiAddr: opts.apiAddr,
      clusterAddr: opts.clusterAddr,
      logger: opts.logger.child({ component: 'core' }),
      userLockouts: opts.userLockouts,
      metrics: opts.metrics,
      ha,
    },
    (c) => {
      const wired = wireReplication(c, storage, { logger: opts.logger, apiAddr: opts.apiAddr, clusterAddr: opts.clusterAddr, crashPoint: opts.crashPoint });
      replication = wired.manager;
      const base = withHa(c, ha, wired.wiring);
      if (!opts.raft) return base;
      const self = { nodeId: opts.nodeId, apiAddr: opts.apiAddr, clusterAddr: opts.clusterAddr, logger: opts.logger };
      const r = wireRaft(c, base, { ...opts.raft, ...self, storagePath: opts.dataDir, startHa: supervisedHa({ ...self, core: c, storage, replication }) });
      raft = r.parts;
      return r.wiring;
    },
  );
  const api = createApiHandler(core, opts.logger.child({ component: 'http' }));
  // Inert until an HA runtime fills the slot: a lone node is its own active.
  sealOnForeignKeyring(core, () => ha.runtime?.role ?? 'active', opts.logger);
  if (raft) startRaft(raft, core, opts.raft!.retryJoin);
  // Before the listener opens: a node of an HA cluster never answers a request as a lone node.
  if (opts.etcd) await startEtcdStorageHa({ core, replication, storage }, opts.etcd, { nodeId: opts.nodeId, apiAddr: opts.apiAddr, clusterAddr: opts.clusterAddr, logger: opts.logger });

  let ui: { handle(req: IncomingMessage, res: ServerResponse): void; close(): Promise<void> } | null = null;
  if (opts.ui) {
    const { createUiHandler } = await import('./http/ui');
    ui = await createUiHandler({ dev: process.env.NODE_ENV === 'development', dir: opts.uiDir });
  }

  const timeouts = resolveHttpTimeouts(opts.httpTimeouts);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    armWriteDeadline(req, res, timeouts.writeMs);
    const url = req.url ?? '/';
    if (opts.devFaults && url.split('?')[0] === STORAGE_FAULTS_PATH) return void serveStorageFaults(req, res, core, storage);
    // Vault serves this listener's unauthenticated sys/metrics outside the request pipeline (any seal or replication state).
    if (opts.metrics?.unauthenticatedAccess && url.split('?')[0] === METRICS_PATH) return void serveMetricsUnauthenticated(req, res, opts.metrics);
    if (url === '/v1' || url.startsWith('/v1/')) {
      if (ha.runtime) stampHaIndex(req, res, () => ha.runtime?.committedIndex() ?? null);
      return void api(req, res);
    }
    // Browsers ask for /favicon.ico on their own (e.g. for a page they loaded from a JSON error); point them at the console's icon.
    if (url === '/favicon.ico' && ui) {
      res.writeHead(308, { Location: '/ui/icon.svg' });
      return void res.end();
    }
    if (ui) return ui.handle(req, res);
    sendJson(res, 404, { errors: [] });
  };
  // node:http never listens itself: a front listener (TCP or TLS) hands each
  // connection over through the connection edge, so Vault's LIST verb parses;
  // it also keeps the read timeouts, which node checks only for its own sockets.
  const server = createHttpServer(handler);
  server.keepAliveTimeout = timeouts.idleMs;
  const uiDev = opts.ui && process.env.NODE_ENV === 'development';
  attachProtocolReplies(server, { upgradeTaken: (path) => path === DEFAULT_FEED_PATH || (uiDev && path.startsWith('/ui/')) });
  const feed = attachStatusFeed(server, clusterStatusSource(core, replication), {
    authorize: (token) => !core.barrier.sealed && core.resolveToken(token) !== null,
    allowedOrigins: [new URL(opts.apiAddr).origin, ...(opts.statusFeedAllowedOrigins ?? [])],
    logger: opts.logger.child({ component: 'status-feed' }),
  });
  const sockets = new Set<Socket>();
  const edge = connectionEdge(server, { headerMs: timeouts.readHeaderMs, requestMs: timeouts.readMs });
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    edge(socket);
  };
  const front: NetServer = opts.tls
    ? createTlsServer(
        // A TLS handshake counts against the header timeout, as in Go's http.Server.
        { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile), ALPNProtocols: ['http/1.1'], handshakeTimeout: timeouts.readHeaderMs || undefined },
        accept,
      ).on('tlsClientError', (_err, socket) => socket.destroy()) // node reports a handshake timeout but leaves the socket open
    : createNetServer(accept);
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.listen.port, opts.listen.host, () => resolve());
  });
  const address = front.address();
  const port = typeof address === 'object' && address ? address.port : opts.listen.port;
  return {
    core,
    replication,
    storage,
    ha,
    server,
    port,
    async close() {
      feed.close();
      await ha.runtime?.close(); // resigns the active role first, so another node takes over at once
      await replication.shutdown();
      core.seal.seal();
      const closed = new Promise<void>((r) => front.close(() => r()));
      // node:http does not track connections it did not accept itself, and
      // keep-alive clients would otherwise hold close() open.
      for (const s of sockets) s.destroy();
      await closed;
      if (raft) await stopRaft(raft); // the etcd member goes after the API, so no request finds it gone
      await ui?.close();
      storage.close();
    },
  };
}

