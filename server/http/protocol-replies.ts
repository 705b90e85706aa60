// Requests that never reach a handler still get Vault's error shape. node:http
// answers what its parser rejects (an unknown method such as FOO, a bad request
// line, oversized headers) with a bare "400 Bad Request", drops CONNECT without
// a word, and leaves an Upgrade nobody takes hanging, open, for ever. Vault (Go's
// net/http) hands FOO and CONNECT to its handler, which answers 405
// {"errors":[]} (http/logical.go), and serves an unrequested Upgrade as a plain
// request. Here each of these gets a JSON reply and the connection is closed.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a replied-to connection may linger for the client to read the reply. */
const LINGER_MS = 1_000;

/** Write one complete response on a connection node:http has let go of, then close it. */
export function replyAndClose(socket: Duplex, status: number, errors: string[]): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ errors });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** The reply for a request the HTTP parser refused, by llhttp error code. */
export function parserErrorReply(code: string | undefined): { status: number; errors: string[] } {
  switch (code) {
    case 'HPE_INVALID_METHOD':
      return { status: 405, errors: [] };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, errors: ['request header fields too large'] };
    case 'HPE_HEADER_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, errors: ['request timeout'] };
    default:
      return { status: 400, errors: ['malformed HTTP request'] };
  }
}

export interface ProtocolReplyOptions {
  /** Upgrade requests some other listener takes (the status feed; Next's dev HMR). */
  upgradeTaken(path: string): boolean;
}

export function attachProtocolReplies(server: Server, opts: ProtocolReplyOptions): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already on the wire must not get a second one spliced into it.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || inFlight?.headersSent) return void socket.destroy();
    const { status, errors } = parserErrorReply(err.code);
    replyAndClose(socket, status, errors);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => replyAndClose(socket, 405, []));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!opts.upgradeTaken(path)) replyAndClose(socket, 400, ['unsupported upgrade request']);
  });
}
