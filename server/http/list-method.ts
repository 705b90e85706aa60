import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ReadDeadlines, type ReadDeadlineOptions } from './read-deadlines';

// Vault clients send the LIST verb, but Node's HTTP parser (llhttp) only
// accepts a fixed set of methods and answers 400 to LIST before any handler
// runs. So every API connection passes through this thin framing tracker: it
// follows request boundaries (head, Content-Length or chunked body, upgrade)
// and rewrites a request line `LIST /path` to `GET /path?list=true`, which
// Vault treats identically. All other bytes pass through untouched. Knowing
// where each request starts and ends, it also enforces the listener's read
// timeouts (read-deadlines.ts): an expired connection is closed, as Go does.
const MAX_HEAD = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

type State =
  | { kind: 'head' }
  | { kind: 'body'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'trailers' }
  | { kind: 'passthrough' };

export function rewriteListLine(head: Buffer): Buffer {
  if (head.length < 5 || head.toString('latin1', 0, 5) !== 'LIST ') return head;
  const lineEnd = head.indexOf('\r\n');
  const line = head.toString('latin1', 0, lineEnd);
  const m = /^LIST (\S+) (HTTP\/\d\.\d)$/.exec(line);
  if (!m) return head;
  const target = m[1] + (m[1].includes('?') ? '&' : '?') + 'list=true';
  return Buffer.concat([Buffer.from(`GET ${target} ${m[2]}`, 'latin1'), head.subarray(lineEnd)]);
}

function headerValue(head: string, name: string): string | undefined {
  const re = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, 'i');
  return re.exec(head)?.[1]?.trim();
}

export class ListMethodSocket extends Duplex {
  private state: State = { kind: 'head' };
  private pending: Buffer = Buffer.alloc(0);
  private readonly deadlines: ReadDeadlines | null;

  constructor(
    readonly socket: Socket,
    deadlines?: ReadDeadlineOptions,
  ) {
    super({ allowHalfOpen: true });
    this.deadlines = deadlines ? new ReadDeadlines(deadlines, () => this.destroy()) : null;
    this.deadlines?.requestStarted(); // Go counts the first request's deadlines from accept
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(this.feed(chunk))) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('timeout', () => this.emit('timeout'));
    socket.on('drain', () => this.emit('drain'));
  }

  // Transform one chunk: returns the bytes to hand to the HTTP parser.
  private feed(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let buf: Buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length) {
      const s = this.state;
      if (s.kind === 'passthrough') {
        this.deadlines?.stop();
        out.push(buf);
        break;
      }
      if (s.kind === 'body' || s.kind === 'chunk-data') {
        const n = Math.min(s.remaining, buf.length);
        out.push(buf.subarray(0, n));
        buf = buf.subarray(n);
        s.remaining -= n;
        if (s.remaining === 0) this.state = s.kind === 'body' ? this.requestDone() : { kind: 'chunk-size' };
        continue;
      }
      if (s.kind === 'head') {
        this.deadlines?.requestStarted();
        const end = buf.indexOf(CRLFCRLF);
        if (end === -1) {
          if (buf.length > MAX_HEAD) {
            this.state = { kind: 'passthrough' }; // let the HTTP parser reject it
            continue;
          }
          this.pending = buf;
          break;
        }
        const head = buf.subarray(0, end + 4);
        buf = buf.subarray(end + 4);
        out.push(rewriteListLine(head));
        this.deadlines?.headComplete();
        const text = head.toString('latin1');
        const te = headerValue(text, 'transfer-encoding');
        const cl = headerValue(text, 'content-length');
        if (headerValue(text, 'upgrade') || text.startsWith('CONNECT ')) {
          this.state = { kind: 'passthrough' }; // leaves HTTP: WebSocket frames are not requests
          this.deadlines?.stop();
        } else if (te && /chunked/i.test(te)) this.state = { kind: 'chunk-size' };
        else if (cl && Number(cl) > 0) this.state = { kind: 'body', remaining: Number(cl) };
        else this.requestDone();
        continue;
      }
      // chunk-size and trailers work line by line
      const eol = buf.indexOf('\r\n');
      if (eol === -1) {
        if (buf.length > MAX_HEAD) {
          this.state = { kind: 'passthrough' };
          continue;
        }
        this.pending = buf;
        break;
      }
      const line = buf.subarray(0, eol + 2);
      buf = buf.subarray(eol + 2);
      out.push(line);
      if (s.kind === 'chunk-size') {
        const size = parseInt(line.toString('latin1').split(';')[0].trim(), 16);
        if (Number.isNaN(size)) this.state = { kind: 'passthrough' };
        else this.state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', remaining: size + 2 };
      } else if (line.length === 2) {
        this.state = this.requestDone(); // empty line ends the trailers
      }
    }
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** The whole request has arrived: its read deadlines are met; the next bytes start a new head. */
  private requestDone(): State {
    this.deadlines?.requestComplete();
    return { kind: 'head' };
  }

  override _read(): void {
    this.socket.resume();
  }
  override _write(chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, enc, cb);
  }
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void {
    // Done when the socket has taken the last chunk, not before: node:http's
    // 'finish', its pipelining backpressure and the write timeout all rest on it
    // (calling back at once let a client that never reads pile responses up in memory).
    this.socket.cork();
    chunks.forEach((c, i) => this.socket.write(c.chunk, c.encoding, i === chunks.length - 1 ? cb : undefined));
    this.socket.uncork();
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.deadlines?.stop();
    this.socket.destroy(err ?? undefined);
    cb(err);
  }

  // The net.Socket surface that node:http and ws use.
  get remoteAddress() {
    return this.socket.remoteAddress;
  }
  get remotePort() {
    return this.socket.remotePort;
  }
  get remoteFamily() {
    return this.socket.remoteFamily;
  }
  get localAddress() {
    return this.socket.localAddress;
  }
  get localPort() {
    return this.socket.localPort;
  }
  get encrypted() {
    return (this.socket as unknown as { encrypted?: boolean }).encrypted;
  }
  get bytesWritten() {
    return this.socket.bytesWritten;
  }
  address() {
    return this.socket.address();
  }
  setTimeout(ms: number, cb?: () => void) {
    this.socket.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(noDelay?: boolean) {
    this.socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number) {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }
  ref() {
    this.socket.ref();
    return this;
  }
  unref() {
    this.socket.unref();
    return this;
  }
}
