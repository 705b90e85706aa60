import { api } from '../support/cluster';
import { sleep, type HaCluster } from './ha-cluster';

// The write load of the HA failover tests: clients that keep writing through
// whichever nodes are alive while the active is killed or stepped down.

/** Writes through every live node of `c` in turn until stopped (into secret/, a KV v2 mount); keeps what was acknowledged. */
export function writeLoad(c: HaCluster, prefix: string, workers = 3) {
  const acked = new Map<string, number>();
  let stop = false;
  let n = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (!stop) {
      const live = c.nodes.filter((x) => x.alive());
      const node = live[(n + w) % Math.max(1, live.length)];
      const i = n++;
      if (!node) {
        await sleep(50);
        continue;
      }
      try {
        const r = await api(node.addr, 'POST', `secret/data/${prefix}-${i}`, { token: c.rootToken, body: { data: { i } } });
        if (r.status === 200) acked.set(`${prefix}-${i}`, i);
        else await sleep(20); // a failover answer: do not spin
      } catch {
        await sleep(20); // the killed node: not acknowledged
      }
    }
  });
  return {
    acked,
    count: () => acked.size,
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}
