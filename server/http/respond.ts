import type { ServerResponse } from 'node:http';
import { VaultError } from '../errors';
import type { Logger } from '../log';

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType?: string): void {
  if (contentType && (typeof body === 'string' || Buffer.isBuffer(body))) {
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (status === 204) {
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  if (body === undefined) {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Map any error to Vault's `{"errors":[...]}` once, at the edge. 500s are logged with their cause. */
export function sendError(res: ServerResponse, err: unknown, log: Logger, requestId: string): void {
  if (err instanceof VaultError) {
    sendJson(res, err.status, { errors: err.message ? [err.message] : [] });
    return;
  }
  log.error({ err, request_id: requestId }, 'internal error');
  sendJson(res, 500, { errors: ['1 error occurred:\n\t* internal error\n\n'] });
}
