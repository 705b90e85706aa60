// The top self-time functions of a V8 .cpuprofile (node --cpu-prof), optionally
// only over its last `lastSeconds` (the load phase of bench/kv-profile.ts, not
// its seeding). Usage: tsx bench/cpuprofile-top.ts FILE [lastSeconds] [count]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topSelf(profile: Profile, lastSeconds = Infinity, count = 25): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const from = total - lastSeconds * 1e6;
  const self = new Map<string, number>();
  let t = 0;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time runs until the next one
    const f = byId.get(profile.samples[i])!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + dt);
    counted += dt;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / counted }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, last, count] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  for (const r of topSelf(profile, last ? Number(last) : Infinity, count ? Number(count) : 25)) {
    console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  }
}
