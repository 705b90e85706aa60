import type { Logger } from '../log';
import type { EtcdClient } from './etcd-client';
import type { Watch } from './etcd-watch';
import type { KeyValue } from './etcd-wire';

// Who leads, for nodes that do not: the leader key's value (or null while no
// one holds it), pushed on every change. Standbys use it to find the active;
// it carries no authority (only the fencing compare in etcd does).

const REOPEN_MS = 500;

export interface LeaderObserver {
  /** The last value seen (undefined before the first read). */
  readonly current: KeyValue | null | undefined;
  close(): void;
}

export function observeLeader(client: EtcdClient, key: string, logger: Logger, onChange: (leader: KeyValue | null) => void): LeaderObserver {
  const log = logger.child({ component: 'ha.leader-observer', key });
  let current: KeyValue | null | undefined;
  let watch: Watch | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const publish = (kv: KeyValue | null) => {
    const same = current === kv || (current && kv && current.modRevision === kv.modRevision);
    current = kv;
    if (!same) onChange(kv);
  };

  // Read, then watch from the read's revision, so no change falls between the two.
  const open = async () => {
    if (closed) return;
    try {
      const r = await client.range(key);
      if (closed) return;
      publish(r.kvs[0] ?? null);
      const w = client.watch(key, { startRevision: r.header.revision + 1 }, (res) => {
        for (const e of res.events) publish(e.type === 'delete' ? null : e.kv);
      });
      watch = w;
      await w.done;
    } catch (err) {
      if (closed) return;
      log.debug({ err: (err as Error).message }, 'leader watch ended; reopening');
    }
    if (!closed) timer = setTimeout(() => void open(), REOPEN_MS);
  };
  void open();

  return {
    get current() {
      return current;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      watch?.cancel();
    },
  };
}
