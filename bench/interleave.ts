// The method of bench/kv.ts: on a shared machine the CPU and the disk drift
// by 2–3× within minutes, so a figure measured at another moment than its
// reference says nothing. Each round measures every figure once, pairs in
// alternating order (Coffer then bare, next round bare then Coffer), and the
// report gives medians, the spread (min–max) and ratios taken within a round.
//
// Beside throughput each figure records the server process's own CPU time per
// request (utime + stime from /proc/<pid>/stat over the run). On a machine
// whose other tenants take most of the CPU, throughput says how much CPU the
// server was given; CPU per request says what each request costs it, and the
// ratio bare ÷ Coffer of that cost is the throughput ratio the two would have
// if each had the CPU to itself (both are CPU-bound in one thread).
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface Figure {
  name: string;
  unit: string;
  /** The server process measured (its CPU time is read around each run). */
  pid: () => number;
  /** Every process that serves the figure, when it is more than one (a cluster); their CPU times are summed. */
  pids?: () => number[];
  /** One measurement: the rate and the number of requests answered; `seconds` overrides the default duration (warm-up). */
  run: (seconds?: number) => Promise<{ rate: number; count: number }>;
}

/** Coffer's figure and the reference it is judged against. */
export interface Pair {
  label: string;
  coffer: Figure;
  bare: Figure;
  /** The issue's aim for the ratio; none for a reference that only shows where the time goes. */
  aim?: number;
}

export function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}`;
}

export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** A process's CPU time (user + system) in µs. Linux: /proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ", field 3 is index 0
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

interface Sample {
  rate: number;
  /** Server CPU µs per request. */
  cpu: number;
}

/** One measurement of `f` with the server's CPU time around it. */
export async function measure(f: Figure, seconds?: number): Promise<Sample> {
  const cpu = () => (f.pids?.() ?? [f.pid()]).reduce((sum, pid) => sum + cpuMicros(pid), 0);
  const before = cpu();
  const { rate, count } = await f.run(seconds);
  return { rate, cpu: (cpu() - before) / Math.max(count, 1) };
}

/** Run `rounds` rounds of every pair; returns each figure's samples and each pair's in-round ratios. */
export async function interleave(pairs: Pair[], rounds: number, log: (line: string) => void) {
  const samples = new Map<string, Sample[]>();
  const ratios = new Map<string, { rate: number; cpu: number }[]>();
  for (let r = 0; r < rounds; r++) {
    for (const p of pairs) {
      const order = r % 2 === 0 ? [p.coffer, p.bare] : [p.bare, p.coffer];
      const got = new Map<Figure, Sample>();
      for (const f of order) {
        const s = await measure(f);
        got.set(f, s);
        samples.set(f.name, [...(samples.get(f.name) ?? []), s]);
        log(`  round ${r + 1}  ${f.name.padEnd(44)} ${s.rate.toFixed(0).padStart(7)} ${f.unit}  ${s.cpu.toFixed(0).padStart(5)} µs CPU/req  (load ${load()})`);
      }
      const c = got.get(p.coffer)!;
      const b = got.get(p.bare)!;
      ratios.set(p.label, [...(ratios.get(p.label) ?? []), { rate: c.rate / b.rate, cpu: b.cpu / c.cpu }]);
    }
  }
  return { samples, ratios };
}

export function report(pairs: Pair[], result: Awaited<ReturnType<typeof interleave>>, log: (line: string) => void): void {
  const seen = new Set<string>();
  log(`\n${'figure'.padEnd(44)} ${'median'.padStart(7)}  spread (min–max)          server CPU µs/request: median (min–max)`);
  for (const f of pairs.flatMap((p) => [p.coffer, p.bare])) {
    if (seen.has(f.name)) continue;
    seen.add(f.name);
    const xs = result.samples.get(f.name)!;
    const rates = xs.map((s) => s.rate);
    const cpu = xs.map((s) => s.cpu);
    log(`${f.name.padEnd(44)} ${median(rates).toFixed(0).padStart(7)}  ${`${spread(rates, 0)} ${f.unit}`.padEnd(24)}  ${median(cpu).toFixed(0).padStart(5)} (${spread(cpu, 0)})`);
  }
  log(`\n${'ratio (paired within each round)'.padEnd(44)} ${'median'.padStart(7)}  spread      CPU-cost ratio bare÷coffer: median (spread)`);
  for (const p of pairs) {
    const xs = result.ratios.get(p.label)!;
    const m = median(xs.map((x) => x.rate));
    const c = median(xs.map((x) => x.cpu));
    const aim = p.aim === undefined ? '' : `  aim ≥ ${p.aim.toFixed(2)}: ${m >= p.aim ? 'met' : 'not met'} (throughput), ${c >= p.aim ? 'met' : 'not met'} (CPU cost)`;
    log(`${p.label.padEnd(44)} ${m.toFixed(2).padStart(7)}  ${spread(xs.map((x) => x.rate), 2).padEnd(10)}  ${c.toFixed(2)} (${spread(xs.map((x) => x.cpu), 2)})${aim}`);
  }
}
