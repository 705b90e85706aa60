import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseDuration } from '../auth/duration';
import type { Core } from '../core/core';
import { envelope } from '../core/envelope';
import type { Request } from '../core/request';
import { badRequest } from '../errors';
import type { Logger } from '../log';
import { parseJsonObject, readBody } from './request-body';
import { MAX_RAW_BODY_BYTES, takesRawBody } from './raw-body-paths';
import { refuseNamespace } from './namespace-header';
import { operationOf } from './operation';
import { apiPathOf } from './request-path';
import { sendError, sendJson } from './respond';
import { applyCors } from './cors';
import { corsStoreOf } from '../core/cors-config';
import { vouchedClientAddress } from '../ha/forwarded-client';

// /v1/* → the Vault request model → core → Vault's JSON (vault/http/logical.go).
// The Node server routes these itself: Vault clients send the LIST verb.

const NO_QUERY: Readonly<URLSearchParams> = new URLSearchParams();
const NO_BODY = Buffer.alloc(0);

function tokenOf(req: IncomingMessage): string {
  const header = req.headers['x-vault-token'];
  if (typeof header === 'string' && header) return header.trim();
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return '';
}

export function createApiHandler(core: Core, log: Logger) {
  // A request an HA standby forwarded carries the client's address with a proof (ha/forwarded-client.ts); anything else is judged by its socket.
  const clientAddress = (req: IncomingMessage, body: Buffer) => vouchedClientAddress(() => core.barrier.exportRootKey(), req, body) ?? req.socket.remoteAddress;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    try {
      // Before anything else, as Vault's CORS wrapper: a refused origin or a preflight ends here.
      if (applyCors(req, res, corsStoreOf(core).current())) return;
      const target = req.url ?? '/';
      // Most requests carry no query string: no URL object for them (hot read path).
      const searchParams = target.includes('?') ? new URL(target, 'http://coffer').searchParams : NO_QUERY;
      let path = apiPathOf(target);
      refuseNamespace(req.headers['x-vault-namespace']);
      const operation = operationOf(req.method ?? 'GET', searchParams);
      if (operation === 'list' && !path.endsWith('/')) path += '/';
      const raw = operation !== 'read' && operation !== 'list' && takesRawBody(path);
      const body = operation === 'read' || operation === 'list' ? NO_BODY : await readBody(req, raw ? MAX_RAW_BODY_BYTES : undefined);
      const data = raw ? {} : parseJsonObject(body);
      const query: Record<string, string> = {};
      for (const [k, v] of searchParams) if (k !== 'list') query[k] = v;
      if (operation === 'read' && Object.keys(query).length) Object.assign(data, query);
      const wrapHeader = req.headers['x-vault-wrap-ttl'];
      let wrapTtl: number | undefined;
      if (typeof wrapHeader === 'string' && wrapHeader) {
        wrapTtl = parseDuration(wrapHeader, 'X-Vault-Wrap-TTL');
        if (!wrapTtl) throw badRequest('invalid wrap TTL: must be greater than zero');
      }
      const request: Request = {
        id: requestId,
        operation,
        path,
        data,
        query,
        clientToken: tokenOf(req),
        headers: req.headers as Record<string, string | undefined>,
        wrapTtl,
        remoteAddr: clientAddress(req, body),
        ...(raw ? { rawBody: body } : {}),
      };
      const out = await core.handle(request);
      const flushing = core.physical.pendingFlush();
      if (flushing) await flushing; // never acknowledge a write before it is durable (group commit)
      if (out.raw?.filename) res.setHeader('Content-Disposition', `attachment; filename="${out.raw.filename}"`);
      if (out.raw) return sendJson(res, out.raw.status, req.method === 'HEAD' ? undefined : out.raw.body, out.raw.contentType);
      const status = out.status ?? 200;
      if (status === 404 && !out.data) return sendJson(res, 404, { errors: [] });
      const empty = !out.data && !out.auth && !out.wrapInfo && !out.warnings?.length;
      if (status === 204 || (status === 200 && empty)) return sendJson(res, 204, null);
      sendJson(res, status, envelope(request, out));
    } catch (err) {
      sendError(res, err, log, requestId);
    }
  };
}
