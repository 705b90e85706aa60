// Seed 002's picture, wired over each cluster's real API: dallas is the
// performance primary and a DR primary; london and sydney are performance
// secondaries of dallas and each a DR primary too; every one of the three has
// its own DR secondary.
export interface LabCluster {
  name: string;
  port: number;
}

type Call = (addr: string, method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export function seedTopology(base: number): { clusters: LabCluster[]; links: { primary: string; secondary: string; mode: 'performance' | 'dr' }[] } {
  const clusters: LabCluster[] = [
    { name: 'dallas', port: base },
    { name: 'london', port: base + 100 },
    { name: 'sydney', port: base + 200 },
    { name: 'dallas-dr', port: base + 50 },
    { name: 'london-dr', port: base + 150 },
    { name: 'sydney-dr', port: base + 250 },
  ];
  return {
    clusters,
    links: [
      { primary: 'dallas', secondary: 'london', mode: 'performance' },
      { primary: 'dallas', secondary: 'sydney', mode: 'performance' },
      { primary: 'dallas', secondary: 'dallas-dr', mode: 'dr' },
      { primary: 'london', secondary: 'london-dr', mode: 'dr' },
      { primary: 'sydney', secondary: 'sydney-dr', mode: 'dr' },
    ],
  };
}

/** Polls `fn` until true or the deadline (the lab's own waits: lab-nodes.ts uses it too). */
export async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Wire the links in order (performance first, so DR secondaries copy settled clusters). */
/** `active`: for HA clusters, the address of a cluster's active node (replication runs there). */
export async function wireTopology(host: string, token: string, topo: ReturnType<typeof seedTopology>, call: Call, log: (line: string) => void, active?: (name: string) => Promise<string>, afterLink?: (link: { primary: string; secondary: string; mode: 'performance' | 'dr' }, secondaryAddr: string) => Promise<void>): Promise<void> {
  const addr = async (name: string) => (active ? active(name) : `http://${host}:${topo.clusters.find((c) => c.name === name)!.port}`);
  for (const link of topo.links) {
    const p = await addr(link.primary);
    const s = await addr(link.secondary);
    const st = await call(p, 'GET', `sys/replication/${link.mode}/status`);
    if (st.body?.data?.mode !== 'primary') {
      const r = await call(p, 'POST', `sys/replication/${link.mode}/primary/enable`, {});
      if (r.status !== 200) throw new Error(`${link.primary}: enable ${link.mode} primary: ${JSON.stringify(r.body)}`);
    }
    const t = await call(p, 'POST', `sys/replication/${link.mode}/primary/secondary-token`, { id: link.secondary });
    if (t.status !== 200) throw new Error(`${link.primary}: secondary-token: ${JSON.stringify(t.body)}`);
    const e = await call(s, 'POST', `sys/replication/${link.mode}/secondary/enable`, { token: t.body.wrap_info.token });
    if (e.status !== 200) throw new Error(`${link.secondary}: enable ${link.mode} secondary: ${JSON.stringify(e.body)}`);
    await until(`${link.secondary} to stream from ${link.primary}`, async () => (await call(s, 'GET', `sys/replication/${link.mode}/status`)).body?.data?.state === 'stream-wals');
    await afterLink?.(link, s);
    log(`    ${link.secondary.padEnd(10)} ← ${link.mode === 'dr' ? 'DR' : 'performance'} secondary of ${link.primary}`);
  }
  void token;
}
