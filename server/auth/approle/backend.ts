import type { Backend, MountOptions } from '../../core/backend';
import type { BackendRequest, Operation, Response } from '../../core/request';
import { limitsOf, type TtlLimits } from '../../core/token-ttl';
import { badRequest, VaultError } from '../../errors';
import { approleLogin, roleIdOf } from './login';
import { fieldBody, ROLE_FIELD_PATHS } from './role-fields';
import { ROLE_NAME, RoleStore, roleData, type RoleEntry } from './role-store';
import { issueSecretId } from './secret-id-issue';
import { SecretIdStore, secretIdData } from './secret-id-store';
import { TIDY_WARNING, tidySecretIds } from './tidy';

// The AppRole auth method (vault builtin/credential/approle): its route
// table. Each route is a pattern over the path below the mount and the
// operations it answers; everything it stores is under the mount's view.

type Handler = (req: BackendRequest, name: string) => Response | null;
interface ApproleRoute {
  pattern: RegExp;
  ops: Partial<Record<Operation, Handler>>;
}

const NOT_FOUND: Response = { status: 404, data: null };
const NO_CONTENT: Response = { status: 204 };

export class AppRoleBackend implements Backend {
  readonly type = 'approle';
  readonly unauthenticatedPaths = ['login'];
  private readonly roles: RoleStore;
  private readonly secretIds: SecretIdStore;
  private readonly limits: TtlLimits;
  private readonly routes: ApproleRoute[];

  constructor(opts: MountOptions) {
    this.roles = new RoleStore(opts.storage);
    this.secretIds = new SecretIdStore(opts.storage, () => this.roles.salt());
    this.limits = opts.limits ?? limitsOf();
    const name = '(?<name>[^/]+)';
    const withRole = (fn: (req: BackendRequest, role: RoleEntry) => Response | null): Handler => (req, n) => {
      const role = this.roles.get(n);
      return role ? fn(req, role) : null;
    };
    this.routes = [
      { pattern: /^role\/?$/, ops: { list: () => this.listRoles() } },
      { pattern: /^login$/, ops: { update: (req) => ({ login: approleLogin(req, this.roles, this.secretIds) }) } },
      { pattern: /^tidy\/secret-id$/, ops: { update: () => this.tidy() } },
      {
        pattern: new RegExp(`^role/${name}$`),
        ops: {
          read: (_r, n) => this.readRole(n),
          create: (req, n) => this.writeRole(n, req.data),
          update: (req, n) => this.writeRole(n, req.data),
          delete: (_r, n) => this.deleteRole(n),
        },
      },
      {
        pattern: new RegExp(`^role/${name}/role-id$`),
        ops: {
          read: withRole((_r, role) => ({ data: { role_id: role.role_id } })),
          update: withRole((req, role) => {
            const id = typeof req.data.role_id === 'string' ? req.data.role_id.trim() : '';
            if (id === '') throw badRequest('missing role_id');
            this.roles.setRoleId(role, id);
            return NO_CONTENT;
          }),
        },
      },
      {
        pattern: new RegExp(`^role/${name}/secret-id/?$`),
        ops: {
          update: (req, n) => this.issue(req, n, false),
          list: withRole((_r, role) => {
            const keys = this.secretIds.all(role).map((f) => f.entry.secret_id_accessor);
            return keys.length ? { data: { keys } } : NOT_FOUND;
          }),
        },
      },
      { pattern: new RegExp(`^role/${name}/custom-secret-id$`), ops: { update: (req, n) => this.issue(req, n, true) } },
      {
        pattern: new RegExp(`^role/${name}/secret-id/lookup$`),
        ops: {
          update: withRole((req, role) => {
            const found = this.secretIds.find(role, secretIdField(req.data));
            return found ? { data: secretIdData(found.entry) } : NO_CONTENT;
          }),
        },
      },
      { pattern: new RegExp(`^role/${name}/secret-id/destroy$`), ops: { update: withRole((req, role) => this.destroy(role, req)), delete: withRole((req, role) => this.destroy(role, req)) } },
      {
        pattern: new RegExp(`^role/${name}/secret-id-accessor/lookup$`),
        ops: { update: withRole((req, role) => ({ data: secretIdData(this.byAccessor(role, req).entry) })) },
      },
      {
        pattern: new RegExp(`^role/${name}/secret-id-accessor/destroy$`),
        ops: { update: withRole((req, role) => this.destroyByAccessor(role, req)), delete: withRole((req, role) => this.destroyByAccessor(role, req)) },
      },
      ...Object.keys(ROLE_FIELD_PATHS).map((field) => {
        const handler: Handler = (req, n) => this.roleField(req, n, field);
        return { pattern: new RegExp(`^role/${name}/${field}$`), ops: { read: handler, update: handler, delete: handler } };
      }),
    ];
  }

  async handle(req: BackendRequest): Promise<Response | null> {
    for (const route of this.routes) {
      const m = route.pattern.exec(req.path);
      if (!m) continue;
      const n = m.groups?.name ?? '';
      if (m.groups?.name !== undefined && !ROLE_NAME.test(n)) return null;
      const op = route.ops[req.operation] ?? (req.operation === 'create' ? route.ops.update : undefined);
      if (!op) throw new VaultError('unsupported_operation', 'unsupported operation');
      return op(req, n.toLowerCase());
    }
    return null;
  }

  /** Vault's alias lookahead: lockout counts failed logins per role_id. */
  loginAlias(req: BackendRequest): string | null {
    if (req.path !== 'login') return null;
    return roleIdOf(req.data) || null;
  }

  exists(req: BackendRequest): boolean {
    const m = /^role\/([^/]+)$/.exec(req.path);
    return m ? this.roles.get(m[1]) !== null : true;
  }

  private listRoles(): Response {
    const keys = this.roles.list();
    return keys.length ? { data: { keys } } : NOT_FOUND;
  }

  private readRole(name: string): Response {
    const role = this.roles.get(name);
    return role ? { data: roleData(role) } : NOT_FOUND;
  }

  private writeRole(name: string, body: Record<string, unknown>): Response {
    if (Buffer.byteLength(name) >= 4096) throw badRequest('role_name is longer than maximum of 4096 bytes');
    this.roles.write(name, body);
    return NO_CONTENT;
  }

  /** The role first (a replicated write: refused on a performance secondary, so forwarded whole), then its secret-ids. */
  private deleteRole(name: string): Response {
    const role = this.roles.get(name);
    if (!role) return NO_CONTENT;
    const ids = this.secretIds.all(role);
    this.roles.delete(role);
    for (const f of ids) this.secretIds.destroy(role, f);
    return NO_CONTENT;
  }

  private roleField(req: BackendRequest, name: string, field: string): Response | null {
    const path = ROLE_FIELD_PATHS[field];
    const role = this.roles.get(name);
    if (!role) return null;
    if (req.operation === 'read') return { data: path.read(role) };
    if (path.readOnly) throw new VaultError('unsupported_operation', 'unsupported operation');
    if (req.operation === 'delete') {
      this.roles.write(name, path.reset!);
      return NO_CONTENT;
    }
    const body = fieldBody(path, req.data);
    if (!body) throw badRequest(`missing ${path.fields[path.fields.length - 1]}`);
    this.roles.write(name, body);
    return NO_CONTENT;
  }

  private issue(req: BackendRequest, name: string, custom: boolean): Response {
    const role = this.roles.get(name);
    if (!role) throw badRequest(`role ${JSON.stringify(name)} does not exist`);
    return { data: issueSecretId(role, req.data, this.secretIds, this.limits, custom) };
  }

  private destroy(role: RoleEntry, req: BackendRequest): Response {
    const found = this.secretIds.find(role, secretIdField(req.data));
    if (found) this.secretIds.destroy(role, found);
    return NO_CONTENT;
  }

  private byAccessor(role: RoleEntry, req: BackendRequest) {
    const accessor = typeof req.data.secret_id_accessor === 'string' ? req.data.secret_id_accessor.trim() : '';
    if (accessor === '') throw badRequest('missing secret_id_accessor');
    const found = this.secretIds.findByAccessor(role, accessor);
    if (!found) throw new VaultError('not_found', `failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`);
    return found;
  }

  private destroyByAccessor(role: RoleEntry, req: BackendRequest): Response {
    this.secretIds.destroy(role, this.byAccessor(role, req));
    return NO_CONTENT;
  }

  /** Vault answers 202 and tidies in the background; here the tidy is done by the time it answers. */
  private tidy(): Response {
    tidySecretIds(this.roles, this.secretIds);
    return { status: 202, data: null, warnings: [TIDY_WARNING] };
  }
}

function secretIdField(data: Record<string, unknown>): string {
  const id = typeof data.secret_id === 'string' ? data.secret_id.trim() : '';
  if (id === '') throw badRequest('missing secret_id');
  return id;
}
