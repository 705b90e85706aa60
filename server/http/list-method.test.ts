import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestFramer, rewriteListLine } from './list-method';

// A request as the framer sees it, and what node:http must receive for it.
interface Req {
  wire: string;
  expected: string;
}

const path = fc.stringMatching(/^\/v1\/[a-z0-9/]{0,12}(\?[a-z]=[0-9])?$/);
const bodyText = fc.oneof(fc.constant('LIST /v1/x HTTP/1.1\r\n\r\n'), fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x')));

const request: fc.Arbitrary<Req> = fc.oneof(
  path.map((p) => ({ wire: `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`, expected: `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n` })),
  path.map((p) => ({
    wire: `LIST ${p} HTTP/1.1\r\nHost: x\r\n\r\n`,
    expected: `GET ${p}${p.includes('?') ? '&' : '?'}list=true HTTP/1.1\r\nHost: x\r\n\r\n`,
  })),
  fc.tuple(path, bodyText).map(([p, b]) => {
    const r = `POST ${p} HTTP/1.1\r\ncontent-LENGTH: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
    return { wire: r, expected: r };
  }),
  fc.tuple(path, fc.array(bodyText, { maxLength: 3 })).map(([p, parts]) => {
    const chunks = parts.filter((x) => x.length).map((x) => `${Buffer.byteLength(x).toString(16)};ext=1\r\n${x}\r\n`);
    const r = `PUT ${p} HTTP/1.1\r\nX-Content-Length: 5\r\ntransfer-ENCODING:Chunked \r\n\r\n${chunks.join('')}0\r\nX-Trailer: LIST /\r\n\r\n`;
    return { wire: r, expected: r };
  }),
);

/** Split `s` at the given fractions into chunks. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const a of [...at, buf.length]) {
    if (a > from) out.push(buf.subarray(from, a));
    from = Math.max(from, a);
  }
  return out;
}

function run(chunks: Buffer[]) {
  const counts = { started: 0, heads: 0, done: 0, left: 0 };
  let open = false; // requestStarted is idempotent until the request is done
  const framer = new RequestFramer({
    requestStarted: () => {
      if (!open) counts.started++;
      open = true;
    },
    headComplete: () => counts.heads++,
    requestDone: () => {
      counts.done++;
      open = false;
    },
    leftHttp: () => counts.left++,
  });
  const out = Buffer.concat(chunks.map((c) => framer.feed(c)));
  return { out: out.toString('latin1'), counts };
}

describe('RequestFramer', () => {
  it('LIST request lines become GET ?list=true; every other byte passes unchanged, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 6 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (reqs, cuts) => {
        const wire = Buffer.from(reqs.map((r) => r.wire).join(''), 'latin1');
        const { out, counts } = run(split(wire, cuts));
        expect(out).toBe(reqs.map((r) => r.expected).join(''));
        expect(counts.heads).toBe(reqs.length);
        expect(counts.done).toBe(reqs.length);
        expect(counts.left).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('a chunk with no LIST in it is handed on as the same buffer (no copy)', () => {
    const framer = new RequestFramer();
    const chunk = Buffer.from('GET /v1/a HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc');
    expect(framer.feed(chunk)).toBe(chunk);
  });

  it('a head split across chunks is held back until it is whole, then rewritten once', () => {
    const framer = new RequestFramer();
    expect(framer.feed(Buffer.from('LI')).length).toBe(0);
    expect(framer.feed(Buffer.from('ST /v1/secret/metadata HTTP/1.1\r\nHost: x\r\n')).length).toBe(0);
    expect(framer.feed(Buffer.from('\r\n')).toString()).toBe('GET /v1/secret/metadata?list=true HTTP/1.1\r\nHost: x\r\n\r\n');
  });

  it('after an Upgrade head the connection has left HTTP: later bytes, LIST or not, pass untouched', () => {
    let left = 0;
    const framer = new RequestFramer({ requestStarted() {}, headComplete() {}, requestDone() {}, leftHttp: () => left++ });
    const head = 'GET /v1/sys/feed HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    expect(framer.feed(Buffer.from(`${head}LIST /v1/x HTTP/1.1\r\n\r\n`)).toString()).toBe(`${head}LIST /v1/x HTTP/1.1\r\n\r\n`);
    expect(framer.feed(Buffer.from('LIST /v1/y HTTP/1.1\r\n\r\n')).toString()).toBe('LIST /v1/y HTTP/1.1\r\n\r\n');
    expect(left).toBe(1);
  });

  it('a head that never ends passes through past 64 KiB so the parser refuses it', () => {
    let left = 0;
    const framer = new RequestFramer({ requestStarted() {}, headComplete() {}, requestDone() {}, leftHttp: () => left++ });
    const big = Buffer.from(`LIST /v1/x HTTP/1.1\r\nX: ${'a'.repeat(70_000)}`);
    expect(framer.feed(big).equals(big)).toBe(true);
    expect(left).toBe(1);
  });
});

describe('rewriteListLine', () => {
  it('keeps an existing query and the rest of the head', () => {
    expect(rewriteListLine(Buffer.from('LIST /v1/a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n')).toString()).toBe('GET /v1/a?x=1&list=true HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  it('leaves a malformed LIST line for the parser to refuse', () => {
    const head = Buffer.from('LIST  /v1/a HTTP/1.1\r\n\r\n');
    expect(rewriteListLine(head)).toBe(head);
  });
});
