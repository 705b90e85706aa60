import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leftStateFor, type DrillProgress } from './recovery';

const PROGRESS: DrillProgress[] = ['untouched', 'primary-demoted', 'primary-stopped', 'secondary-promoted', 'old-rejoined', 'new-demoted', 'failed-back'];
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);

describe('the state an aborted drill leaves', () => {
  it('every state names both clusters and gives commands against their addresses, with placeholders instead of tokens', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROGRESS), name, name, fc.constantFrom<'planned' | 'unplanned'>('planned', 'unplanned'), (progress, p, s, kind) => {
        const st = leftStateFor(progress, {
          primary: { name: p, addr: 'http://127.0.0.1:8200' },
          secondary: { name: `${s}-dr`, addr: 'http://127.0.0.1:8250' },
          others: [{ name: 'london', addr: 'http://127.0.0.1:8300', mode: 'performance' }],
          canaryMount: 'drill-canaries',
          kind,
        });
        expect(st.description).toContain(p);
        expect(st.recovery.length).toBeGreaterThan(0);
        for (const c of st.recovery) if (!c.startsWith('#')) expect(c).toMatch(/^VAULT_ADDR=http:\/\/127\.0\.0\.1:(8200|8250|8300) coffer /);
        expect(st.recovery.join('\n')).not.toMatch(/hvs\.|dr_operation_token=(?!<DR operation token>)/);
      }),
    );
  });

  it('with no DR primary left (demoted, not yet promoted) the first command promotes the old primary back', () => {
    for (const progress of ['primary-demoted', 'new-demoted'] as const) {
      const st = leftStateFor(progress, { primary: { name: 'dallas', addr: 'http://a' }, secondary: { name: 'dallas-dr', addr: 'http://b' }, others: [], canaryMount: 'm', kind: 'planned' });
      expect(st.description).toMatch(/no cluster is the DR primary/);
      expect(st.recovery[0]).toBe('VAULT_ADDR=http://a coffer write sys/replication/dr/secondary/promote dr_operation_token=<DR operation token>');
    }
  });
});
