// The method of bench/kv.ts: on a shared machine the CPU and the disk drift
// by 2–3× within minutes, so a figure measured at another moment than its
// reference says nothing. Each round measures every figure once, pairs in
// alternating order (Coffer then bare, next round bare then Coffer), and the
// report gives medians, the spread (min–max) and ratios taken within a round.
import { cpus, loadavg } from 'node:os';

export interface Figure {
  name: string;
  unit: string;
  /** One measurement; `seconds` overrides the default duration (warm-up). */
  run: (seconds?: number) => Promise<number>;
}

/** Coffer's figure and the reference it is judged against. */
export interface Pair {
  label: string;
  coffer: Figure;
  bare: Figure;
  /** The aim for the ratio; none for a reference that only shows where the time goes. */
  aim?: number;
}

export function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}`;
}

export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

/** Run `rounds` rounds of every pair; returns each figure's samples and each pair's in-round ratios. */
export async function interleave(pairs: Pair[], rounds: number, log: (line: string) => void) {
  const samples = new Map<string, number[]>();
  const ratios = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const p of pairs) {
      const order = r % 2 === 0 ? [p.coffer, p.bare] : [p.bare, p.coffer];
      const got = new Map<Figure, number>();
      for (const f of order) {
        const v = await f.run();
        got.set(f, v);
        samples.set(f.name, [...(samples.get(f.name) ?? []), v]);
        log(`  round ${r + 1}  ${f.name.padEnd(44)} ${v.toFixed(0).padStart(7)} ${f.unit}  (load ${load()})`);
      }
      ratios.set(p.label, [...(ratios.get(p.label) ?? []), got.get(p.coffer)! / got.get(p.bare)!]);
    }
  }
  return { samples, ratios };
}

export function report(pairs: Pair[], result: Awaited<ReturnType<typeof interleave>>, log: (line: string) => void): void {
  const seen = new Set<string>();
  log(`\n${'figure'.padEnd(44)} ${'median'.padStart(7)}  spread (min–max)`);
  for (const f of pairs.flatMap((p) => [p.coffer, p.bare])) {
    if (seen.has(f.name)) continue;
    seen.add(f.name);
    const xs = result.samples.get(f.name)!;
    log(`${f.name.padEnd(44)} ${median(xs).toFixed(0).padStart(7)}  ${spread(xs, 0)} ${f.unit}`);
  }
  log(`\n${'ratio (paired within each round)'.padEnd(44)} ${'median'.padStart(7)}  spread`);
  for (const p of pairs) {
    const xs = result.ratios.get(p.label)!;
    const m = median(xs);
    const aim = p.aim === undefined ? '' : `  (aim ≥ ${p.aim.toFixed(2)}: ${m >= p.aim ? 'met' : 'not met'})`;
    log(`${p.label.padEnd(44)} ${m.toFixed(2).padStart(7)}  ${spread(xs, 2)}${aim}`);
  }
}
