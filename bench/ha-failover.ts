// Failover time of an HA cluster (prints, never asserts): three `coffer server`
// processes on storage "etcd" over a 3-member etcd. Each trial kills the
// active with SIGKILL while a client writes through the other nodes, and
// measures kill → the first write acknowledged after it (standbys forward, so
// an acknowledged write means the new active took it). The killed node is
// restarted and unsealed before the next trial.
//
//   node_modules/.bin/tsx bench/ha-failover.ts [trials=5]
import { api } from '../tests/support/cluster';
import { health, startHaCluster, until } from '../tests/ha/ha-cluster';

const trials = Number(process.argv[2] ?? 5);

async function main(): Promise<void> {
  const c = await startHaCluster(3);
  const times: number[] = [];
  try {
    const first = await c.waitActive();
    await api(first.addr, 'POST', 'sys/mounts/secret', { token: c.rootToken, body: { type: 'kv', options: { version: '2' } } });
    for (let t = 0; t < trials; t++) {
      const victim = await c.waitActive();
      const others = c.nodes.filter((n) => n !== victim);
      // Every other node is a settled standby (it has applied the log and knows the active).
      for (const o of others) await until(`${o.name} standby`, async () => (await health(o.addr)) === 473);
      let firstAckAfterKill = 0;
      let killedAt = 0;
      let stop = false;
      let i = 0;
      const writers = others.map(async (o) => {
        while (!stop) {
          const sent = Date.now();
          const r = await api(o.addr, 'POST', `secret/data/bench-${t}-${i++}`, { token: c.rootToken, body: { data: { t } } }).catch(() => null);
          if (r?.status === 200 && killedAt && sent >= killedAt && !firstAckAfterKill) firstAckAfterKill = Date.now();
          if (r?.status !== 200) await new Promise((res) => setTimeout(res, 20));
        }
      });
      await new Promise((res) => setTimeout(res, 500)); // writes flowing before the kill
      killedAt = Date.now();
      await victim.kill();
      await until('a write acknowledged after the kill', async () => firstAckAfterKill > 0, 60_000, 10);
      stop = true;
      await Promise.all(writers);
      const ms = firstAckAfterKill - killedAt;
      times.push(ms);
      process.stdout.write(`trial ${t + 1}: kill -9 of ${victim.name} → first acknowledged write ${ms} ms\n`);
      const back = await c.restart(c.nodes.indexOf(victim));
      await c.unseal(back);
    }
  } finally {
    await c.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  process.stdout.write(`failover (kill -9 of the active → first write acknowledged by the new active), ${trials} trials: median ${median} ms, min ${sorted[0]} ms, max ${sorted[sorted.length - 1]} ms\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
