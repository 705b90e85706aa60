import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Core } from './core/core';
import { builtinRoutes } from './engines/sys';
import { createApiHandler } from './http/api-handler';
import { ListMethodSocket } from './http/list-method';
import { attachStatusFeed } from './http/status-feed';
import { clusterStatusSource } from './replication/status-source';
import { sendJson } from './http/respond';
import type { Logger } from './log';
import { installReplication } from './replication';
import type { ReplicationManager } from './replication/manager';
import { SqliteBackend } from './storage/sqlite';

export interface NodeOptions {
  dataDir: string;
  listen: { host: string; port: number };
  tls?: { certFile: string; keyFile: string };
  apiAddr: string;
  clusterAddr: string;
  clusterName: string;
  ui: boolean;
  uiDir: string;
  logger: Logger;
  logRetention?: number;
}

export interface CofferNode {
  core: Core;
  replication: ReplicationManager;
  storage: SqliteBackend;
  server: Server;
  port: number;
  close(): Promise<void>;
}

export const STORAGE_FILE = 'coffer.db';

/** One node of one cluster: its own SQLite file, its API listener, optionally the console. */
export async function startNode(opts: NodeOptions): Promise<CofferNode> {
  mkdirSync(opts.dataDir, { recursive: true });
  const storage = new SqliteBackend({ path: join(opts.dataDir, STORAGE_FILE), logRetention: opts.logRetention, groupCommit: true });
  const core = new Core(storage, {
    clusterName: opts.clusterName,
    apiAddr: opts.apiAddr,
    clusterAddr: opts.clusterAddr,
    logger: opts.logger.child({ component: 'core' }),
  });
  core.setBuiltinRoutes(builtinRoutes());
  const replication = installReplication(core, storage, {
    logger: opts.logger,
    apiAddr: opts.apiAddr,
    clusterAddr: opts.clusterAddr,
  });
  const api = createApiHandler(core, opts.logger.child({ component: 'http' }));

  let ui: { handle(req: IncomingMessage, res: ServerResponse): void; close(): Promise<void> } | null = null;
  if (opts.ui) {
    const { createUiHandler } = await import('./http/ui');
    ui = await createUiHandler({ dev: process.env.NODE_ENV === 'development', dir: opts.uiDir });
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url === '/v1' || url.startsWith('/v1/')) return void api(req, res);
    // Browsers ask for /favicon.ico on their own (e.g. for a page they loaded from a JSON error); point them at the console's icon.
    if (url === '/favicon.ico' && ui) {
      res.writeHead(308, { Location: '/ui/icon.svg' });
      return void res.end();
    }
    if (ui) return ui.handle(req, res);
    sendJson(res, 404, { errors: [] });
  };
  // node:http never listens itself: a front listener (TCP or TLS) hands each
  // connection over through ListMethodSocket, so Vault's LIST verb parses.
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 65_000;
  const feed = attachStatusFeed(server, clusterStatusSource(core, replication), {
    authorize: (token) => !core.barrier.sealed && core.resolveToken(token) !== null,
    logger: opts.logger.child({ component: 'status-feed' }),
  });
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    server.emit('connection', new ListMethodSocket(socket));
  };
  const front: NetServer = opts.tls
    ? createTlsServer({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile), ALPNProtocols: ['http/1.1'] }, accept)
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
    server,
    port,
    async close() {
      feed.close();
      await replication.shutdown();
      core.seal.seal();
      const closed = new Promise<void>((r) => front.close(() => r()));
      // node:http does not track connections it did not accept itself, and
      // keep-alive clients would otherwise hold close() open.
      for (const s of sockets) s.destroy();
      await closed;
      await ui?.close();
      storage.close();
    },
  };
}
