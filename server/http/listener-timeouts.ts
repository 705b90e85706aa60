// The API listener's HTTP timeouts, with Vault's names and defaults (listener
// "tcp": http_read_header_timeout, http_read_timeout, http_write_timeout,
// http_idle_timeout; command/server/listener_tcp.go sets them on Go's
// http.Server). Without them a client that connects and says nothing, or
// sends its headers one byte a minute, holds a file descriptor forever.
//
// Go's meanings, which Coffer keeps:
//   read_header  from accept (or the first byte of a later request on a
//                kept-alive connection) until the request head is complete
//   read         from the same start until the whole request, body included,
//                has arrived
//   write        from the end of the request head until the response is
//                written (0 = none, Vault's default)
//   idle         between requests on a kept-alive connection
// When one expires the connection is closed, as Go does.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HttpTimeouts {
  readHeaderMs: number;
  readMs: number;
  writeMs: number;
  idleMs: number;
}

export const DEFAULT_HTTP_READ_HEADER_TIMEOUT_MS = 10_000;
export const DEFAULT_HTTP_READ_TIMEOUT_MS = 30_000;
export const DEFAULT_HTTP_WRITE_TIMEOUT_MS = 0;
export const DEFAULT_HTTP_IDLE_TIMEOUT_MS = 5 * 60_000;

/** Defaults for what is unset; Vault's fallback for a zero idle timeout (read, then read_header). */
export function resolveHttpTimeouts(set: Partial<HttpTimeouts> = {}): HttpTimeouts {
  const readHeaderMs = set.readHeaderMs ?? DEFAULT_HTTP_READ_HEADER_TIMEOUT_MS;
  const readMs = set.readMs ?? DEFAULT_HTTP_READ_TIMEOUT_MS;
  const writeMs = set.writeMs ?? DEFAULT_HTTP_WRITE_TIMEOUT_MS;
  const idleMs = set.idleMs ?? DEFAULT_HTTP_IDLE_TIMEOUT_MS;
  return { readHeaderMs, readMs, writeMs, idleMs: idleMs || readMs || readHeaderMs };
}

/** Go's WriteTimeout: from the end of the request head until the response is written; then the connection is closed. */
export function armWriteDeadline(req: IncomingMessage, res: ServerResponse, ms: number): void {
  if (ms <= 0) return;
  const timer = setTimeout(() => req.socket.destroy(), ms);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
