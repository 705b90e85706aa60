import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  errorFrame,
  MAX_REASON_CHARS,
  FrameDecoder,
  FrameError,
  recordFromWire,
  recordToWire,
  toFrame,
  type Frame,
  type FrameType,
} from './frames';

const GUARD = 'ab'.repeat(16);

// One sample per frame type; the mapped type makes a new union member without a sample a compile error.
const SAMPLES: { [T in FrameType]: Extract<Frame, { type: T }> } = {
  accepted: { type: 'accepted' },
  hello: {
    type: 'hello',
    mode: 'performance',
    secondaryId: 'sec-1',
    position: { index: 42, guard: GUARD },
    clusterId: 'c-1',
    apiAddr: 'https://127.0.0.1:8200',
    clusterAddr: 'https://127.0.0.1:8201',
    epoch: 1,
    needsBootstrap: false,
  },
  'hello-ack': { type: 'hello-ack', clusterId: 'c-1', lastIndex: 99, epoch: 1, apiAddr: 'http://127.0.0.1:8200', clusterAddr: 'https://127.0.0.1:8201' },
  'not-active': { type: 'not-active', activeClusterAddr: 'https://127.0.0.1:8203', clusterAddrs: ['https://127.0.0.1:8201', 'https://127.0.0.1:8203'] },
  bootstrap: { type: 'bootstrap', rootKey: 'AAE=', sealConfig: '{}', keyring: 'AAE=', devRootToken: '', localSeal: '{"config":{"secret_shares":1,"secret_threshold":1},"wrappedRootKey":"AAE="}' },
  'bootstrap-ack': { type: 'bootstrap-ack' },
  epoch: { type: 'epoch', mode: 'dr', clusterId: 'c-1', epoch: 2, apiAddr: 'http://127.0.0.1:8300', clusterAddr: 'https://127.0.0.1:8301' },
  'epoch-ack': { type: 'epoch-ack', clusterMode: 'primary', clusterId: 'c-1', epoch: 1, fenced: true },
  'sync-required': { type: 'sync-required', reason: 'missing guard' },
  resume: { type: 'resume', position: { index: 3, guard: GUARD } },
  refused: { type: 'refused', reason: 'revoked' },
  wals: {
    type: 'wals',
    follows: { index: 0, guard: '' },
    records: [
      { index: 1, key: 'logical/abc/foo', op: 'put', value: Buffer.from([0, 1, 255]).toString('base64'), cls: 'replicated', guard: GUARD },
      { index: 2, key: 'sys/token/id/x', op: 'delete', value: null, cls: 'local', guard: GUARD },
    ],
    at: 1_700_000_000_000,
    lastIndex: 2,
    lastGuard: GUARD,
  },
  ack: { type: 'ack', index: 2 },
  heartbeat: { type: 'heartbeat', lastIndex: 7, primaryTime: 1_700_000_000_123, seq: 3 },
  'heartbeat-ack': { type: 'heartbeat-ack', seq: 3, secondaryTime: 1_700_000_000_456 },
  'merkle-pages-request': { type: 'merkle-pages-request', tree: 0 },
  'merkle-pages': { type: 'merkle-pages', tree: 0, hashes: ['00ff', 'abcdef'], index: 9, guard: GUARD },
  'merkle-leaves-request': { type: 'merkle-leaves-request', tree: 1, pages: [0, 63] },
  'merkle-leaves': { type: 'merkle-leaves', tree: 1, leaves: [{ page: 63, hashes: ['01', '02'] }] },
  'fetch-keys-request': { type: 'fetch-keys-request', tree: 0, buckets: [5, 4095] },
  'fetch-keys': { type: 'fetch-keys', tree: 0, entries: [{ key: 'core/mounts', value: 'AAE=' }], done: true },
  'sync-done': { type: 'sync-done', index: 10, guard: GUARD },
  'forward-request': {
    type: 'forward-request',
    id: 'r1',
    method: 'PUT',
    path: '/v1/secret/data/x',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"data":{}}').toString('base64'),
    auth: { policies: ['default', 'writer'], displayName: 'userpass-bob', entityId: 'e-1' },
  },
  'forward-response': { type: 'forward-response', id: 'r1', status: 200, headers: {}, body: null, index: 11 },
  error: { type: 'error', message: 'boom' },
};

const payload = (json: string) => {
  const body = Buffer.from(json);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
};

describe('encodeFrame / decodeFrame', () => {
  it.each(Object.values(SAMPLES))('round-trips a $type frame', (frame) => {
    const buf = encodeFrame(frame);
    expect(buf.readUInt32BE(0)).toBe(buf.length - 4);
    expect(decodeFrame(buf)).toEqual(frame);
  });

  it('rejects an unknown type tag', () => {
    expect(() => decodeFrame(payload('{"type":"wal","records":[]}'))).toThrow(/unknown frame type "wal"/);
    expect(() => decodeFrame(payload('{"records":[]}'))).toThrow(FrameError);
    expect(() => decodeFrame(payload('{"type":"__proto__"}'))).toThrow(/unknown frame type/);
  });

  it('rejects malformed payloads and bad fields', () => {
    expect(() => decodeFrame(payload('not json'))).toThrow(/not JSON/);
    expect(() => decodeFrame(payload('[1,2]'))).toThrow(/not an object/);
    expect(() => decodeFrame(payload('{"type":"ack","index":"7"}'))).toThrow(/bad field "index"/);
    expect(() => decodeFrame(payload('{"type":"hello-ack","clusterId":"c"}'))).toThrow(/bad field "lastIndex"/);
    const badRecord = { ...SAMPLES.wals, records: [{ ...SAMPLES.wals.records[0], op: 'upsert' }] };
    expect(() => decodeFrame(encodeFrame(badRecord as unknown as Frame))).toThrow(/bad field "records"/);
    const badMode = { ...SAMPLES.hello, mode: 'both' };
    expect(() => decodeFrame(encodeFrame(badMode as unknown as Frame))).toThrow(/bad field "mode"/);
  });

  it('rejects a buffer whose length prefix disagrees with its size', () => {
    const buf = encodeFrame(SAMPLES.ack);
    expect(() => decodeFrame(buf.subarray(0, buf.length - 1))).toThrow(/length prefix/);
    expect(() => decodeFrame(Buffer.concat([buf, Buffer.from('x')]))).toThrow(/length prefix/);
    expect(() => decodeFrame(Buffer.from([0, 0]))).toThrow(/shorter/);
  });

  it('refuses to encode or decode beyond the size limit', () => {
    const big: Frame = { type: 'error', message: 'x'.repeat(2000) };
    expect(() => encodeFrame(big, 1000)).toThrow(/exceeds the 1000-byte limit/);
    expect(() => decodeFrame(encodeFrame(big), 1000)).toThrow(/exceeds/);
  });

  it('toFrame validates a parsed object', () => {
    expect(toFrame({ type: 'ack', index: 3 })).toEqual({ type: 'ack', index: 3 });
    expect(() => toFrame({ type: 'ack', index: -1 })).toThrow(/bad field "index"/);
  });
});

describe('FrameDecoder', () => {
  const frames: Frame[] = [SAMPLES.hello, SAMPLES.wals, SAMPLES.heartbeat];
  const stream = Buffer.concat(frames.map((f) => encodeFrame(f)));

  it('yields several frames from one chunk', () => {
    const d = new FrameDecoder();
    expect(d.push(stream)).toEqual(frames);
    expect(d.pendingBytes).toBe(0);
  });

  it('reassembles frames split at every pair of chunk boundaries', () => {
    for (let i = 0; i <= stream.length; i += 7) {
      for (let j = i; j <= stream.length; j += 13) {
        const d = new FrameDecoder();
        const got = [...d.push(stream.subarray(0, i)), ...d.push(stream.subarray(i, j)), ...d.push(stream.subarray(j))];
        expect(got).toEqual(frames);
        expect(d.pendingBytes).toBe(0);
      }
    }
  });

  it('handles byte-at-a-time delivery, including a split length prefix', () => {
    const d = new FrameDecoder();
    const got: Frame[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
    expect(got).toEqual(frames);
  });

  it('holds a partial frame until the rest arrives', () => {
    const d = new FrameDecoder();
    const one = encodeFrame(SAMPLES.ack);
    expect(d.push(one.subarray(0, 6))).toEqual([]);
    expect(d.pendingBytes).toBe(6);
    expect(d.push(one.subarray(6))).toEqual([SAMPLES.ack]);
  });

  it('rejects an oversized length prefix before buffering the body', () => {
    const d = new FrameDecoder(1024);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1025);
    expect(() => d.push(head)).toThrow(/1025 bytes exceeds the 1024-byte limit/);
  });

  it('throws on an unknown type inside a stream', () => {
    const d = new FrameDecoder();
    expect(() => d.push(Buffer.concat([encodeFrame(SAMPLES.ack), payload('{"type":"nope"}')]))).toThrow(/unknown frame type/);
  });
});

describe('wire records', () => {
  it('carry ciphertext bytes as base64 and deletes as null', () => {
    const put = { index: 5, key: 'k', op: 'put' as const, value: Buffer.from([0, 200, 7, 255]), cls: 'replicated' as const, guard: GUARD };
    const del = { index: 6, key: 'k', op: 'delete' as const, value: null, cls: 'local' as const, guard: GUARD };
    const wire = [recordToWire(put), recordToWire(del)];
    expect(wire[0].value).toBe('AMgH/w==');
    const back = (decodeFrame(encodeFrame({ type: 'wals', follows: { index: 4, guard: GUARD }, records: wire, at: 1, lastIndex: 6, lastGuard: GUARD })) as Extract<Frame, { type: 'wals' }>).records.map(recordFromWire);
    expect(back).toEqual([put, del]);
    expect(Buffer.isBuffer(back[0].value)).toBe(true);
  });
});

// ---- properties ---------------------------------------------------------------

/** Enumerated fields keep their allowed values; everything else varies freely with the sample's shape. */
const ENUMS: Record<string, readonly string[]> = { type: [], mode: ['performance', 'dr'], op: ['put', 'delete'], cls: ['replicated', 'local'] };
const hexString = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 });

/** An arbitrary with the same shape as `sample`: strings of any unicode, any safe integers, arrays of any length. */
function like(sample: unknown, key = ''): fc.Arbitrary<unknown> {
  if (key === 'type') return fc.constant(sample);
  if (key in ENUMS && typeof sample === 'string') return fc.constantFrom(...ENUMS[key]);
  if (typeof sample === 'string') return fc.string({ unit: 'binary', maxLength: 200 });
  if (typeof sample === 'number') return fc.maxSafeNat();
  if (typeof sample === 'boolean') return fc.boolean();
  if (sample === null) return fc.constant(null);
  if (Array.isArray(sample)) {
    const elem = key === 'hashes' ? hexString : sample.length ? like(sample[0]) : fc.constant(null);
    return sample.length ? fc.array(elem, { maxLength: 8 }) : fc.constant([]);
  }
  const obj = sample as Record<string, unknown>;
  if (key === 'headers') return fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 50 }), { maxKeys: 4 });
  // A nullable object (auth) may also be null.
  const rec = fc.record(Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, like(v, k)])));
  return key === 'auth' ? fc.option(rec, { nil: null }) : rec;
}

const anyFrame = fc.oneof(...Object.values(SAMPLES).map((s) => like(s) as fc.Arbitrary<Frame>));

describe('frame codec properties', () => {
  it('every frame round-trips through encode and decode, also when split into arbitrary chunks', () => {
    fc.assert(
      fc.property(fc.array(anyFrame, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => encodeFrame(f)));
        for (const f of frames) expect(decodeFrame(encodeFrame(f))).toEqual(f);
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const d = new FrameDecoder();
        const got: Frame[] = [];
        let at = 0;
        for (const p of [...points, stream.length]) {
          got.push(...d.push(stream.subarray(at, p)));
          at = p;
        }
        expect(got).toEqual(frames);
      }),
      { numRuns: 300 },
    );
  });

  it('no encoded frame exceeds the limit: encode either fits or throws, and decode refuses what is over', () => {
    fc.assert(
      fc.property(anyFrame, fc.integer({ min: 16, max: 4096 }), (frame, limit) => {
        let buf: Buffer;
        try {
          buf = encodeFrame(frame, limit);
        } catch (err) {
          expect(err).toBeInstanceOf(FrameError);
          expect(Buffer.byteLength(JSON.stringify(frame))).toBeGreaterThan(limit);
          expect(() => decodeFrame(encodeFrame(frame), limit)).toThrow(FrameError);
          return;
        }
        expect(buf.length - 4).toBeLessThanOrEqual(limit);
        expect(decodeFrame(buf, limit)).toEqual(frame);
      }),
      { numRuns: 300 },
    );
  });

  it('an error frame stays small whatever the reason', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 0, maxLength: 20_000 }), (reason) => {
        expect(encodeFrame(errorFrame(reason)).length).toBeLessThan(6 * MAX_REASON_CHARS + 64);
      }),
      { numRuns: 50 },
    );
  });
});
