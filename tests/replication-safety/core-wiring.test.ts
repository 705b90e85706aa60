import { describe, expect, it } from 'vitest';
import { Core, type RequestGate } from '../../server/core/core';
import type { CompiledRoute } from '../../server/core/route';

// Issue 8 item 10: core is built once from its routes and gates. Replication
// used to patch a live core (push gates, set onReadOnly, jwtWrappingToken,
// swap the route table). Now everything arrives through the constructor's
// CoreWiring and nothing can change it afterwards: the lines below are type
// errors, which `tsc --noEmit` (the suite's first step) checks through
// expect-error directives — should one of them compile again, the type check fails.
function patchingALiveCoreDoesNotCompile(core: Core, gate: RequestGate, routes: CompiledRoute<Core>[]) {
  // @ts-expect-error the gates are private and read-only
  core.gates.push(gate);
  // @ts-expect-error the pre-auth gates are private and read-only
  core.preAuthGates.push(gate);
  // @ts-expect-error the read-only handler is fixed at construction
  core.onReadOnly = async () => ({});
  // @ts-expect-error the JWT unwrap is fixed at construction
  core.jwtWrappingToken = async () => '';
  // @ts-expect-error the replication modes provider is fixed at construction
  core.replicationModes = () => ({ dr: 'primary', performance: 'primary' });
  // @ts-expect-error there is no way to swap the route table
  core.setBuiltinRoutes(routes);
}

describe('core is built once (issue 8 item 10)', () => {
  it('a Core has no method that replaces its routes after construction', () => {
    expect(typeof patchingALiveCoreDoesNotCompile).toBe('function');
    expect('setBuiltinRoutes' in Core.prototype).toBe(false);
    expect(Object.getOwnPropertyNames(Core.prototype).filter((n) => /^(set|install|add)(Builtin|Route|Gate)/i.test(n))).toEqual([]);
  });
});
