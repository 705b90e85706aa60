import { Barrier } from '../../barrier/barrier';
import type { BackendRequest, Caller, Operation } from '../../core/request';
import { StorageView } from '../../core/storage-view';
import { SqliteBackend } from '../../storage/sqlite';

// Test fixtures for backend unit tests: a real SQLite storage behind an
// unsealed barrier (never a Map pretending to be storage), and requests built
// the way the core builds them.

export interface TestStorage {
  physical: SqliteBackend;
  barrier: Barrier;
  view: StorageView;
}

export function testStorage(prefix = 'logical/test/'): TestStorage {
  const physical = new SqliteBackend({ path: ':memory:' });
  const barrier = new Barrier(physical);
  barrier.unseal(barrier.initialize({ secret_shares: 1, secret_threshold: 1 }));
  return { physical, barrier, view: new StorageView(barrier, prefix) };
}

export function testCaller(tokenId: string, overrides: Partial<Caller> = {}): Caller {
  return { tokenId, accessor: 'acc-' + tokenId, policies: ['default'], displayName: 'token', entityId: '', root: false, tokenType: 'service', ...overrides };
}

export function testRequest(
  operation: Operation,
  path: string,
  data: Record<string, unknown> = {},
  extra: { query?: Record<string, string>; caller?: Caller; mountPoint?: string; remoteAddr?: string } = {},
): BackendRequest {
  const mountPoint = extra.mountPoint ?? 'secret/';
  const query = extra.query ?? {};
  return {
    operation,
    path,
    data,
    query,
    mountPoint,
    caller: extra.caller,
    request: {
      id: 'req-1',
      operation,
      path: mountPoint + path,
      data,
      query,
      clientToken: extra.caller?.tokenId ?? '',
      headers: {},
      remoteAddr: extra.remoteAddr,
      caller: extra.caller,
    },
  };
}
