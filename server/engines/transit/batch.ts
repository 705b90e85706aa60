import type { Response } from '../../core/request';
import { badRequest, VaultError } from '../../errors';
import { readInt, type JsonObject } from './fields';

// Batch requests as Vault answers them (path_encrypt.go batchRequestResponse):
// every item gets a result in input order, a failed item carries `error`, and
// the HTTP status says whether anything failed — 400 for any item error
// unless some items succeeded and `partial_failure_response_code` asks for
// another code. A single (non-batch) request fails with the item's error.

export type ItemResult = Record<string, unknown>;

/** Run each item; a VaultError becomes that item's error, anything else stays a server error. */
export function runItems(items: JsonObject[], fn: (item: JsonObject) => ItemResult): { results: ItemResult[]; failed: boolean; succeeded: boolean } {
  let failed = false;
  let succeeded = false;
  const results = items.map((item) => {
    const reference = typeof item.reference === 'string' ? item.reference : '';
    try {
      const r = fn(item);
      succeeded = true;
      return { ...r, reference };
    } catch (err) {
      if (!(err instanceof VaultError) || err.status >= 500) throw err;
      failed = true;
      return { error: err.message, reference };
    }
  });
  return { results, failed, succeeded };
}

/** A non-batch request: the one item's result as the data, or its error as the request's 400. */
export function singleResponse(run: { results: ItemResult[] }, warnings: string[] = []): Response {
  const [only] = run.results;
  if ('error' in only) throw badRequest(String(only.error));
  const { reference: _reference, ...data } = only;
  return { data, ...(warnings.length ? { warnings } : {}) };
}

export function batchResponse(data: JsonObject, run: { results: ItemResult[]; failed: boolean; succeeded: boolean }): Response {
  const res: Response = { data: { batch_results: run.results } };
  if (!run.failed) return res;
  let status = 400;
  const override = run.succeeded ? readInt(data, 'partial_failure_response_code') : undefined;
  if (override !== undefined) {
    if (override >= 1 && override <= 599) status = override;
    else res.warnings = [`invalid HTTP response code override from partial_failure_response_code, reverting to ${status}`];
  }
  return { ...res, status };
}
