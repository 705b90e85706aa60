import type { Backend } from '../../core/backend';
import type { BackendRequest, Operation, Response } from '../../core/request';
import type { StorageView } from '../../core/storage-view';
import { VaultError } from '../../errors';
import { datakeyPath } from './datakey';
import { decryptPath, encryptPath, rewrapPath } from './encrypt-paths';
import { exportPath } from './export';
import { hmacPath } from './hmac';
import { configureKey, createKey, deleteKey, listKeys, readKey, rotate } from './keys-paths';
import { PolicyStore } from './policy';
import { hashPath, randomPath } from './random-hash';
import { signPath, verifyPath } from './sign-paths';

// The transit secrets engine (builtin/logical/transit; API:
// website/content/api-docs/secret/transit.mdx). This file is the route table:
// one pattern per Vault path, the operations it takes, and the handler.
// Key material lives in the mount's storage view (policy.ts), so it is
// barrier-encrypted and replicates; on a performance secondary, reads and
// crypto run locally and a write (create, rotate, config) fails in storage
// with ReadOnlyError, which core forwards to the primary.

type Params = string[];
type Handler = (store: PolicyStore, params: Params, req: BackendRequest) => Response | Promise<Response>;

interface Route {
  pattern: RegExp;
  ops: Partial<Record<Operation, Handler>>;
}

const NAME = String.raw`(\w(?:[\w.@-]*\w)?)`;
const SEG = String.raw`([^/]+)`;
const opt = (group: string) => `(?:/${group})?`;
const route = (re: string, ops: Route['ops']): Route => ({ pattern: new RegExp(`^${re}$`), ops });

const write = (h: Handler) => ({ create: h, update: h });

const ROUTES: Route[] = [
  route('keys/?', { list: (s) => listKeys(s) }),
  route(`keys/${NAME}`, {
    read: (s, [name]) => readKey(s, name),
    ...write((s, [name], req) => createKey(s, name, req)),
    delete: (s, [name]) => deleteKey(s, name),
  }),
  route(`keys/${NAME}/config`, write((s, [name], req) => configureKey(s, name, req))),
  route(`keys/${NAME}/rotate`, write((s, [name]) => rotate(s, name))),
  route(`encrypt/${NAME}`, write((s, [name], req) => encryptPath(s, name, req))),
  route(`decrypt/${NAME}`, write((s, [name], req) => decryptPath(s, name, req))),
  route(`rewrap/${NAME}`, write((s, [name], req) => rewrapPath(s, name, req))),
  route(`datakey/${SEG}/${NAME}`, write((s, [kind, name], req) => datakeyPath(s, kind, name, req))),
  route(`sign/${NAME}${opt(SEG)}`, write((s, [name, alg], req) => signPath(s, name, alg ?? '', req))),
  route(`verify/${NAME}${opt(SEG)}`, write((s, [name, alg], req) => verifyPath(s, name, alg ?? '', req))),
  route(`hmac/${NAME}${opt(SEG)}`, write((s, [name, alg], req) => hmacPath(s, name, alg ?? '', req))),
  // random(/:source)(/:bytes): a lone segment is bytes when numeric, else the source (Vault's two patterns).
  route(`random${opt('(platform|seal|all)')}${opt(SEG)}`, write((_s, [source, bytes], req) => randomPath(source ?? '', bytes ?? '', req))),
  route(`hash${opt(SEG)}`, write((_s, [alg], req) => hashPath(alg ?? '', req))),
  route(`export/${SEG}/${NAME}${opt(SEG)}`, { read: (s, [kind, name, version]) => exportPath(s, kind, name, version ?? '') }),
];

export class TransitBackend implements Backend {
  readonly type = 'transit';
  private readonly store: PolicyStore;

  constructor(storage: StorageView) {
    this.store = new PolicyStore(storage);
  }

  async handle(req: BackendRequest): Promise<Response | null> {
    const m = match(req.path);
    if (!m) return null;
    const handler = m.route.ops[req.operation];
    if (!handler) throw new VaultError('unsupported_operation', 'unsupported operation');
    return handler(this.store, m.params, req);
  }

  /** Only encrypt/:name has Vault's existence check: without the key, a write there is `create` (an upsert). */
  exists(req: BackendRequest): boolean {
    const m = /^encrypt\/(.+)$/.exec(req.path);
    return m ? this.store.get(m[1]) !== null : true;
  }
}

function match(path: string): { route: Route; params: Params } | null {
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m) return { route: r, params: m.slice(1) };
  }
  return null;
}
