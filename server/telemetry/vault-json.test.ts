import { describe, expect, it } from 'vitest';
import { goTimestamp, VaultJsonView } from './vault-json';

describe('goTimestamp', () => {
  it("prints Go's time.String() for a UTC time rounded to the second", () => {
    expect(goTimestamp(new Date('2026-11-22T03:00:00.400Z'))).toBe('2026-11-22 03:00:00 +0000 UTC');
    expect(goTimestamp(new Date('2026-11-22T03:00:59.500Z'))).toBe('2026-11-22 03:01:00 +0000 UTC');
  });
});

describe('VaultJsonView', () => {
  it('reports Rate as Sum per second since the view started', () => {
    const view = new VaultJsonView();
    view.incr('vault.x', 30, {});
    const json = view.render(new Date(Date.now() + 10_000));
    expect(json.Counters[0].Rate).toBeCloseTo(3, 1);
  });

  it('gives a single sample zero Stddev and Min = Max = the sample', () => {
    const view = new VaultJsonView();
    view.addSample('vault.y', 12.5, {});
    expect(view.render().Samples[0]).toMatchObject({ Count: 1, Min: 12.5, Max: 12.5, Mean: 12.5, Stddev: 0 });
  });

  it('sorts series by name then labels, and copies labels out', () => {
    const view = new VaultJsonView();
    const labels = { mode: 'performance' };
    view.setGauge('vault.b', 1, labels);
    view.setGauge('vault.a', 2, { mode: 'performance' });
    view.setGauge('vault.a', 3, { mode: 'dr' });
    labels.mode = 'mutated';
    const gauges = view.render().Gauges;
    expect(gauges.map((g) => [g.Name, g.Labels.mode])).toEqual([
      ['vault.a', 'dr'],
      ['vault.a', 'performance'],
      ['vault.b', 'performance'],
    ]);
  });
});
