import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/core';
import type { SqliteBackend } from '../storage/sqlite';
import { parseJsonObject, readBody } from './request-body';
import { sendJson } from './respond';

// Test-only: flip storage's fault switches (failPut, failCommit) in a real
// server process, for regression tests of what a failed write or a failed
// COMMIT leaves behind. Served only when the server was started with
// -dev-faults; otherwise the path does not exist (core answers 404, as for any
// unknown sys path). Root token only. Not a Vault path.
export const STORAGE_FAULTS_PATH = '/v1/sys/storage/faults';

export async function serveStorageFaults(req: IncomingMessage, res: ServerResponse, core: Core, storage: SqliteBackend): Promise<void> {
  const token = req.headers['x-vault-token'];
  const caller = typeof token === 'string' && !core.barrier.sealed ? core.resolveToken(token) : null;
  if (!caller?.caller.root) return sendJson(res, 403, { errors: ['permission denied'] });
  if (req.method === 'POST' || req.method === 'PUT') {
    let body: Record<string, unknown>;
    try {
      body = parseJsonObject(await readBody(req));
    } catch (err) {
      return sendJson(res, 400, { errors: [(err as Error).message] });
    }
    for (const [field, key] of [
      ['fail_put', 'failPut'],
      ['fail_commit', 'failCommit'],
    ] as const) {
      if (body[field] === undefined) continue;
      if (typeof body[field] !== 'boolean') return sendJson(res, 400, { errors: [`'${field}' must be a boolean`] });
      storage.faults[key] = body[field];
    }
  } else if (req.method !== 'GET') return sendJson(res, 405, { errors: [] });
  sendJson(res, 200, { data: { fail_put: storage.faults.failPut, fail_commit: storage.faults.failCommit } });
}
