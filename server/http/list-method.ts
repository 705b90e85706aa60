// Vault clients send the LIST verb, but Node's HTTP parser (llhttp) only
// accepts a fixed set of methods (http.METHODS: no LIST) and answers 400 to
// LIST before any handler runs. RequestFramer follows a connection's request
// boundaries (head, Content-Length or chunked body, upgrade) and rewrites a
// request line `LIST /path` to `GET /path?list=true`, which Vault treats
// identically; all other bytes pass through untouched. Knowing where each
// request starts and ends, it also tells the read deadlines when to run
// (connection-edge.ts wires both to node:http).
//
// It runs on every chunk of every API connection, so the common case — a
// chunk holding whole request heads and no LIST — returns the chunk itself:
// no copy, no concat, no per-request allocation beyond the head's text.
const MAX_HEAD = 64 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  Trailers,
  /** Left HTTP (upgrade, CONNECT) or unparseable: bytes go to the parser as they are. */
  Passthrough,
}

/** What the framer tells its owner about request boundaries. */
export interface FramerEvents {
  /** The first byte of a request head arrived (idempotent until requestDone). */
  requestStarted(): void;
  headComplete(): void;
  requestDone(): void;
  /** The connection left HTTP (upgrade/CONNECT) or stopped being trackable: no more deadlines. */
  leftHttp(): void;
}

const NO_EVENTS: FramerEvents = { requestStarted() {}, headComplete() {}, requestDone() {}, leftHttp() {} };

export function rewriteListLine(head: Buffer): Buffer {
  if (!startsWithList(head, 0)) return head;
  const lineEnd = head.indexOf('\r\n');
  const line = head.toString('latin1', 0, lineEnd);
  const m = /^LIST (\S+) (HTTP\/\d\.\d)$/.exec(line);
  if (!m) return head;
  const target = m[1] + (m[1].includes('?') ? '&' : '?') + 'list=true';
  return Buffer.concat([Buffer.from(`GET ${target} ${m[2]}`, 'latin1'), head.subarray(lineEnd)]);
}

function startsWithList(buf: Buffer, at: number): boolean {
  return buf.length - at >= 5 && buf[at] === 0x4c && buf[at + 1] === 0x49 && buf[at + 2] === 0x53 && buf[at + 3] === 0x54 && buf[at + 4] === 0x20;
}

const CONTENT_LENGTH = 'content-length:';
const TRANSFER_ENCODING = 'transfer-encoding:';
const UPGRADE = 'upgrade:';

/** Whether the header line at `at` names `name` (lower case, with its ':'), in any letter case. */
function namedAt(buf: Buffer, at: number, end: number, name: string): boolean {
  if (end - at < name.length) return false;
  for (let k = 0; k < name.length; k++) {
    const b = buf[at + k];
    const n = name.charCodeAt(k);
    if (b !== n && !(b >= 0x41 && b <= 0x5a && b + 0x20 === n)) return false;
  }
  return true;
}

/** The line's value after the name: leading and trailing blanks trimmed. */
function valueAt(buf: Buffer, from: number, end: number): string {
  while (from < end && (buf[from] === 0x20 || buf[from] === 0x09)) from++;
  while (end > from && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  return buf.toString('latin1', from, end);
}

interface Framing {
  contentLength?: string;
  transferEncoding?: string;
  upgrade?: boolean;
}

/**
 * The framing headers of the head in buf[from, to) (first occurrence each;
 * llhttp refuses the ambiguous duplicates itself). Field names are
 * case-insensitive; no space before ':'. A byte scan, not a string and a
 * regex: this runs on every request of every connection.
 */
function framingOf(buf: Buffer, from: number, to: number): Framing {
  const f: Framing = {};
  let i = buf.indexOf(LF, from) + 1; // past the request line
  while (i > 0 && i < to) {
    let eol = i;
    while (eol < to && buf[eol] !== LF) eol++;
    const end = eol > i && buf[eol - 1] === CR ? eol - 1 : eol;
    const c = buf[i] | 0x20;
    if (c === 0x63 && f.contentLength === undefined && namedAt(buf, i, end, CONTENT_LENGTH)) f.contentLength = valueAt(buf, i + CONTENT_LENGTH.length, end);
    else if (c === 0x74 && f.transferEncoding === undefined && namedAt(buf, i, end, TRANSFER_ENCODING)) f.transferEncoding = valueAt(buf, i + TRANSFER_ENCODING.length, end);
    else if (c === 0x75 && namedAt(buf, i, end, UPGRADE)) f.upgrade = true;
    i = eol + 1;
  }
  return f;
}

/** The hex size at the start of a chunk-size line (extensions after ';' ignored); NaN if none. */
function chunkSize(buf: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  let n = 0;
  let digits = 0;
  for (; i < to; i++, digits++) {
    const c = buf[i] | 0x20; // lower-cases A–F; leaves digits alone
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
    if (d < 0) break;
    n = n * 16 + d;
  }
  return digits === 0 ? NaN : n;
}

const CONNECT = Buffer.from('CONNECT ', 'latin1');

function isConnect(buf: Buffer, at: number): boolean {
  return buf[at] === 0x43 && buf.length - at >= CONNECT.length && buf.compare(CONNECT, 0, CONNECT.length, at, at + CONNECT.length) === 0;
}

export class RequestFramer {
  private state = State.Head;
  /** Bytes left in the current body or chunk (chunk data counts its CRLF). */
  private remaining = 0;
  /** An incomplete head or chunk line held back until its end arrives. */
  private pending: Buffer | null = null;

  constructor(private readonly events: FramerEvents = NO_EVENTS) {}

  /** Transform one chunk: returns the bytes to hand to the HTTP parser (the chunk itself when nothing changed). */
  feed(chunk: Buffer): Buffer {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let out: Buffer[] | null = null; // only once a rewrite makes the output differ
    let emitted = 0; // bytes of buf before this offset are in `out` already
    let pos = 0;
    let held = buf.length; // bytes from here on are held back in `pending`
    while (pos < buf.length) {
      const s = this.state;
      if (s === State.Passthrough) break;
      if (s === State.Body || s === State.ChunkData) {
        const n = Math.min(this.remaining, buf.length - pos);
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0) {
          if (s === State.Body) this.requestDone();
          else this.state = State.ChunkSize;
        }
        continue;
      }
      if (s === State.Head) {
        this.events.requestStarted();
        const end = buf.indexOf(CRLFCRLF, pos);
        if (end === -1) {
          if (buf.length - pos > MAX_HEAD) this.leaveHttp(); // let the HTTP parser reject it
          else held = pos;
          break;
        }
        const headEnd = end + 4;
        if (startsWithList(buf, pos)) {
          const rewritten = rewriteListLine(buf.subarray(pos, headEnd));
          if (rewritten.length !== headEnd - pos) {
            out ??= [];
            if (pos > emitted) out.push(buf.subarray(emitted, pos));
            out.push(rewritten);
            emitted = headEnd;
          }
        }
        this.events.headComplete();
        this.afterHead(buf, pos, headEnd);
        pos = headEnd;
        continue;
      }
      // chunk-size and trailer lines
      const eol = buf.indexOf('\r\n', pos);
      if (eol === -1) {
        if (buf.length - pos > MAX_HEAD) this.leaveHttp();
        else held = pos;
        break;
      }
      if (s === State.ChunkSize) {
        const size = chunkSize(buf, pos, eol);
        if (Number.isNaN(size)) this.leaveHttp();
        else if (size === 0) this.state = State.Trailers;
        else {
          this.state = State.ChunkData;
          this.remaining = size + 2;
        }
      } else if (eol === pos) {
        this.requestDone(); // the empty line that ends the trailers
      }
      pos = eol + 2;
    }
    if (held < buf.length) this.pending = buf.subarray(held);
    if (!out) return emitted === 0 && held === buf.length ? buf : buf.subarray(emitted, held);
    if (held > emitted) out.push(buf.subarray(emitted, held));
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  private afterHead(buf: Buffer, from: number, to: number): void {
    const f = framingOf(buf, from, to);
    if (f.upgrade || isConnect(buf, from)) this.leaveHttp(); // WebSocket frames are not requests
    else if (f.transferEncoding && /chunked/i.test(f.transferEncoding)) this.state = State.ChunkSize;
    else if (f.contentLength && Number(f.contentLength) > 0) {
      this.state = State.Body;
      this.remaining = Number(f.contentLength);
    } else this.requestDone();
  }

  private requestDone(): void {
    this.state = State.Head;
    this.events.requestDone();
  }

  private leaveHttp(): void {
    this.state = State.Passthrough;
    this.events.leftHttp();
  }
}
