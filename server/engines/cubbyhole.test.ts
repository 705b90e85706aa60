import { describe, expect, it } from 'vitest';
import { CUBBYHOLE_TOKEN_TYPE_ERROR, CubbyholeBackend, destroyCubbyhole } from './cubbyhole';
import { testCaller, testRequest, testStorage } from './kv/test-storage';
import type { Caller, Operation } from '../core/request';

const alice = testCaller('hvs.alice-token-id');
const bob = testCaller('hvs.bob-token-id');

function setup() {
  const s = testStorage('logical/cubby-uuid/');
  return { ...s, cubby: new CubbyholeBackend(s.view) };
}
const rq = (op: Operation, path: string, caller: Caller | undefined, data: Record<string, unknown> = {}) =>
  testRequest(op, path, data, { caller, mountPoint: 'cubbyhole/' });

describe('cubbyhole', () => {
  it('gives each token its own private space', async () => {
    const { cubby } = setup();
    expect(await cubby.handle(rq('create', 'note', alice, { msg: 'from alice' }))).toEqual({ status: 204 });
    await cubby.handle(rq('create', 'note', bob, { msg: 'from bob' }));
    expect(await cubby.handle(rq('read', 'note', alice))).toEqual({ data: { msg: 'from alice' } });
    expect(await cubby.handle(rq('read', 'note', bob))).toEqual({ data: { msg: 'from bob' } });

    await cubby.handle(rq('create', 'alice-only', alice, { a: 1 }));
    expect(await cubby.handle(rq('read', 'alice-only', bob))).toEqual({ status: 404, data: null });
    expect(await cubby.handle(rq('list', '', bob))).toEqual({ data: { keys: ['note'] } });
    expect(((await cubby.handle(rq('list', '', alice)))!.data!.keys as string[]).sort()).toEqual(['alice-only', 'note']);

    await cubby.handle(rq('delete', 'note', bob));
    expect(await cubby.handle(rq('read', 'note', bob))).toEqual({ status: 404, data: null });
    expect(await cubby.handle(rq('read', 'note', alice))).toEqual({ data: { msg: 'from alice' } });
  });

  it('never puts the raw token in a storage key', async () => {
    const { cubby, physical } = setup();
    await cubby.handle(rq('create', 'k', alice, { v: 1 }));
    const keys = physical.keysUnder('logical/cubby-uuid/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^logical\/cubby-uuid\/[0-9a-f]{64}\/k$/);
    expect(keys[0]).not.toContain(alice.tokenId);
  });

  it('refuses requests without a service token', async () => {
    const { cubby } = setup();
    await expect(cubby.handle(rq('read', 'k', undefined))).rejects.toThrow(CUBBYHOLE_TOKEN_TYPE_ERROR);
    await expect(cubby.handle(rq('create', 'k', testCaller('b', { tokenType: 'batch' }), { a: 1 }))).rejects.toMatchObject({ status: 400 });
  });

  it('lists sub-folders and answers 404 on an empty list', async () => {
    const { cubby } = setup();
    await cubby.handle(rq('create', 'dir/a', alice, { v: 1 }));
    await cubby.handle(rq('create', 'dir/sub/b', alice, { v: 1 }));
    expect(await cubby.handle(rq('list', 'dir', alice))).toEqual({ data: { keys: ['a', 'sub/'] } });
    expect(await cubby.handle(rq('list', '', bob))).toEqual({ status: 404, data: null });
  });

  it('requires data fields on write', async () => {
    const { cubby } = setup();
    await expect(cubby.handle(rq('create', 'k', alice, {}))).rejects.toThrow('missing data fields');
  });

  it('exists() is per token', async () => {
    const { cubby } = setup();
    await cubby.handle(rq('create', 'k', alice, { v: 1 }));
    expect(cubby.exists(rq('update', 'k', alice))).toBe(true);
    expect(cubby.exists(rq('update', 'k', bob))).toBe(false);
  });

  it('destroyCubbyhole erases one token’s entries only', async () => {
    const { cubby, view } = setup();
    await cubby.handle(rq('create', 'a/b', alice, { v: 1 }));
    await cubby.handle(rq('create', 'c', alice, { v: 1 }));
    await cubby.handle(rq('create', 'c', bob, { v: 2 }));
    destroyCubbyhole(view, alice.tokenId);
    expect(await cubby.handle(rq('list', '', alice))).toEqual({ status: 404, data: null });
    expect(await cubby.handle(rq('read', 'c', bob))).toEqual({ data: { v: 2 } });
  });
});
