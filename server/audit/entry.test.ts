import { describe, expect, it } from 'vitest';
import type { Request } from '../core/request';
import { formatEntry } from './entry';
import { hashString } from './salt';

const req: Request = {
  id: 'req-1',
  operation: 'update',
  path: 'secret/data/app',
  data: { data: { password: 'p4ss', keep: 'visible' } },
  query: {},
  clientToken: 'hvs.token',
  headers: {},
  remoteAddr: '::ffff:127.0.0.1',
  caller: { tokenId: 'hvs.token', accessor: 'acc-1', policies: ['root'], displayName: 'root', entityId: '', root: true, tokenType: 'service' },
};
const mount = { type: 'kv', accessor: 'kv_1', nonHmacRequestKeys: ['keep'], nonHmacResponseKeys: [] };
const H = (v: string) => hashString('s', v);

describe('formatEntry', () => {
  it("hashes tokens, accessors and data strings under the device's salt; keeps exempted keys", () => {
    const e = formatEntry('request', { req, mount }, { salt: 's', logRaw: false, hmacAccessor: true }) as any;
    expect(e.type).toBe('request');
    expect(e.auth).toMatchObject({ client_token: H('hvs.token'), accessor: H('acc-1'), policies: ['root'] });
    expect(e.request).toMatchObject({ id: 'req-1', mount_type: 'kv', client_token: H('hvs.token'), remote_address: '127.0.0.1', namespace: { id: 'root' } });
    expect(e.request.data).toEqual({ data: { password: H('p4ss'), keep: 'visible' } });
    expect(e.response).toBeUndefined();
  });

  it('hmac_accessor=false leaves accessors in clear; log_raw leaves everything in clear', () => {
    const noAcc = formatEntry('request', { req, mount }, { salt: 's', logRaw: false, hmacAccessor: false }) as any;
    expect(noAcc.auth.accessor).toBe('acc-1');
    expect(noAcc.auth.client_token).toBe(H('hvs.token'));
    const raw = formatEntry('response', { req, mount, res: { data: { v: 'clear' }, auth: { client_token: 't2', accessor: 'a2' } as any } }, { salt: 's', logRaw: true, hmacAccessor: true }) as any;
    expect(raw.request.data.data.password).toBe('p4ss');
    expect(raw.response).toMatchObject({ data: { v: 'clear' }, auth: { client_token: 't2', accessor: 'a2' } });
  });

  it("logs a raw sys answer as its envelope's data, and the error of a failed request", () => {
    const e = formatEntry('response', { req: { ...req, path: 'sys/mounts' }, res: { raw: { status: 200, body: { 'secret/': {}, data: { 'secret/': { type: 'kv' } } } } }, error: 'boom' }, { salt: 's', logRaw: false, hmacAccessor: true }) as any;
    expect(e.request.mount_type).toBe('system');
    expect(e.response.data).toEqual({ 'secret/': { type: H('kv') } });
    expect(e.error).toBe('boom');
  });

  it('elide_list_responses replaces a list answer\'s keys and key_info with their counts', () => {
    const list = { ...req, operation: 'list' as const };
    const res = { data: { keys: ['a', 'b', 'c'], key_info: { a: {}, b: {} } } };
    const e = formatEntry('response', { req: list, res }, { salt: 's', logRaw: false, hmacAccessor: true, elideListResponses: true }) as any;
    expect(e.response.data).toEqual({ keys: 3, key_info: 2 });
    const kept = formatEntry('response', { req: list, res }, { salt: 's', logRaw: false, hmacAccessor: true }) as any;
    expect(kept.response.data.keys).toEqual([H('a'), H('b'), H('c')]);
  });
});
