import { EtcdError } from './etcd-error';
import type { EtcdTransport } from './etcd-http';
import { b64, header, keyValue, num, prefixEnd, type KeyValue, type RawHeader, type RawKeyValue, type ResponseHeader } from './etcd-wire';

// One watch over the gateway's streaming POST /v3/watch. The stream carries
// a "created" message, then batches of events in revision order. A watch is
// not resumed here: when it ends (member down, compaction), `done` rejects and
// the owner decides how to restart from the last revision it saw.

export interface WatchOptions {
  prefix?: boolean;
  /** First revision to deliver (0 = changes after now). */
  startRevision?: number;
  prevKv?: boolean;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface WatchResponse {
  header: ResponseHeader;
  events: WatchEvent[];
}

export interface Watch {
  /** Resolves with the store revision once etcd has created the watch. */
  readonly ready: Promise<number>;
  /** Resolves on cancel(); rejects with an EtcdError when the stream breaks or etcd cancels it. */
  readonly done: Promise<void>;
  cancel(): void;
}

interface RawWatchMessage {
  result?: {
    header?: RawHeader;
    created?: boolean;
    canceled?: boolean;
    compact_revision?: string;
    cancel_reason?: string;
    events?: { type?: string; kv?: RawKeyValue; prev_kv?: RawKeyValue }[];
  };
  error?: { message?: string; grpc_code?: number; http_code?: number };
}

export function openWatch(transport: EtcdTransport, key: string, opts: WatchOptions, onResponse: (r: WatchResponse) => void): Watch {
  const create: Record<string, unknown> = { key: b64(key) };
  if (opts.prefix) create.range_end = prefixEnd(key).toString('base64');
  if (opts.startRevision) create.start_revision = String(opts.startRevision);
  if (opts.prevKv) create.prev_kv = true;

  let markReady!: (rev: number) => void;
  let failReady!: (err: unknown) => void;
  const ready = new Promise<number>((res, rej) => {
    markReady = res;
    failReady = rej;
  });
  let stream: ReturnType<EtcdTransport['stream']> | undefined = undefined;
  const streamRef = () => stream;
  stream = transport.stream('/v3/watch', { create_request: create }, (raw) => {
    const msg = raw as RawWatchMessage;
    if (msg.error) throw new EtcdError('rpc', `etcd watch: ${msg.error.message ?? 'failed'}`, { grpcCode: msg.error.grpc_code });
    const r = msg.result;
    if (!r) return;
    if (r.canceled) {
      const compacted = num(r.compact_revision, 'compact_revision');
      streamRef()?.close();
      const err = compacted
        ? new EtcdError('compacted', `etcd watch: revision ${opts.startRevision} compacted (oldest is ${compacted})`)
        : new EtcdError('rpc', `etcd watch canceled: ${r.cancel_reason ?? 'no reason given'}`);
      failReady(err);
      watchFailed(err);
      return;
    }
    if (r.created) {
      markReady(num(r.header?.revision, 'revision'));
      if (!r.events?.length) return;
    }
    if (!r.events?.length) return; // progress notification
    onResponse({
      header: header(r.header),
      events: r.events.map((e) => ({ type: e.type === 'DELETE' ? 'delete' : 'put', kv: keyValue(e.kv ?? {}), prevKv: e.prev_kv ? keyValue(e.prev_kv) : undefined })),
    });
  });
  let watchFailed!: (err: EtcdError) => void;
  const canceledByEtcd = new Promise<never>((_, rej) => {
    watchFailed = rej;
  });
  const done = Promise.race([stream.done, canceledByEtcd]);
  done.catch(failReady);
  ready.catch(() => undefined); // observed through done as well
  return { ready, done, cancel: () => streamRef()?.close() };
}
