import type { SealStatusResponse } from '../../lib/types/cluster-status';
import { Barrier } from '../barrier/barrier';
import { SECRET_ENGINES, AUTH_METHODS } from '../engines/factories';
import { badRequest, permissionDenied, sealedError, unsupportedPath, VaultError } from '../errors';
import type { Logger } from '../log';
import type { SqliteBackend } from '../storage/sqlite';
import { ReadOnlyError } from '../storage/write-ownership';
import { envelope } from './envelope';
import { RootGeneration } from './generate-root';
import { newUuid } from './ids';
import { MountTable } from './mounts';
import { PolicyStore } from './policy-store';
import type { Caller, Operation, Request, Response } from './request';
import { matchRoute, type CompiledRoute } from './route';
import { SealManager } from './seal-manager';
import { setupNewCluster } from './setup';
import { destroyCubbyhole } from '../engines/cubbyhole';
import { authBlockOf, TokenStore, type TokenEntry } from './tokens';
import { ExpirationManager } from './expiration';
import { limitsOf } from './token-ttl';
import { tokenMountConfig } from './token-mount';
import type { MetricsSettings } from '../telemetry/settings';
import { NON_ASSIGNABLE_POLICIES, sanitizePolicies } from '../auth/token-policy-rules';
import { UserLockout } from './user-lockout';
import { AuditBroker } from '../audit/broker';
import { auditMountOf } from '../audit/mount-keys';
import type { UserLockoutDefaults } from './user-lockout-config';
import { WrappingStore } from './wrapping';
import { checkRequestedWrapTtl } from './wrap-ttl';
import type { HaSlot } from '../ha/ha-slot';

export interface CoreOptions {
  clusterName: string;
  /** storage "raft" node_id (sys/storage/raft/configuration). */
  nodeId?: string;
  apiAddr: string;
  clusterAddr: string;
  logger: Logger;
  dev?: boolean;
  /** The server config file's user_lockout stanzas. */
  userLockouts?: UserLockoutDefaults;
  /** How sys/metrics answers (config telemetry stanzas); Vault's defaults when absent. */
  metrics?: MetricsSettings;
  /** Filled by the HA runtime on a node of an HA cluster (ha/ha-slot.ts); empty or absent: a single node. */
  ha?: HaSlot;
}

/**
 * A gate sees every request before routing. Replication installs gates: a DR
 * secondary refuses clients; a performance secondary forwards writes.
 * Return a Response to answer instead of the local handler, or null to go on.
 * A gate with nothing to do returns null synchronously: the read path awaits
 * only what is really pending (issue 11).
 */
export type RequestGate = (req: Request, ctx: { authenticated: boolean; route: 'builtin' | 'mount' | 'none' }) => Response | null | Promise<Response | null>;

/**
 * What the node adds to core (server/node.ts, replication/index.ts): given
 * once, to the constructor, and never patched afterwards, so how a request is
 * routed and gated is fixed for the life of the core (issue 8 item 10).
 */
export interface CoreWiring {
  /** The sys/ and auth/token/ routes (engines/sys builtinRoutes with replication's routes). */
  builtinRoutes: CompiledRoute<Core>[];
  /** Gates that run before the token is even looked up (a DR secondary refuses everyone). */
  preAuthGates?: RequestGate[];
  gates?: RequestGate[];
  /**
   * What becomes of a request whose handler hit a write this node does not own
   * (a performance secondary forwards it to its primary, as Vault does on
   * ErrReadOnly). Without it the ReadOnlyError is the answer.
   */
  onReadOnly?: (req: Request, err: ReadOnlyError) => Promise<Response>;
  /** Verifies a JWT activation token and returns its wrapping token id. */
  jwtWrappingToken?: (jwt: string) => Promise<string>;
  /** The replication modes' roles; without it both kinds are disabled. */
  replicationModes?: () => { dr: string; performance: string };
}

/** The cluster's id: one for all nodes of an HA cluster (core/cluster/: carried by the HA log, never shipped by replication). */
export const CLUSTER_ID_PATH = 'core/cluster/cluster-id';
/** Where a node kept it before HA clusters: a lone node forming a cluster keeps its id. */
export const NODE_CLUSTER_ID_PATH = 'core/node/cluster-id';
const isDrSecondary = (mode: string) => mode === 'secondary' || mode === 'bootstrapping';

// The request pipeline (vault/request_handling.go): seal check → token →
// ACL → handler → token minting → response wrapping.
export class Core {
  readonly barrier: Barrier;
  readonly tokens: TokenStore;
  readonly expiration: ExpirationManager;
  readonly policies: PolicyStore;
  readonly mounts: MountTable;
  readonly seal: SealManager;
  readonly rootGeneration: RootGeneration;
  readonly wrapping: WrappingStore;
  readonly lockout: UserLockout;
  readonly audit: AuditBroker;
  private readonly gates: readonly RequestGate[];
  private readonly preAuthGates: readonly RequestGate[];
  private readonly onReadOnly: CoreWiring['onReadOnly'];
  readonly jwtWrappingToken: CoreWiring['jwtWrappingToken'];
  readonly replicationModes: () => { dr: string; performance: string };
  readonly unsealListeners: (() => void)[] = [];
  readonly sealListeners: (() => void)[] = [];
  private readonly builtinRoutes: CompiledRoute<Core>[];
  /** Requests whose ACL rule set min/max_wrapping_ttl: their answer must leave wrapped. */
  private readonly wrapDemanded = new WeakSet<Request>();

  /** `wire` runs once, at the end of construction, with every store in place. */
  constructor(
    readonly physical: SqliteBackend,
    readonly opts: CoreOptions,
    wire: (core: Core) => CoreWiring,
  ) {
    physical.changes.onSubscriberError = (err) => opts.logger.error({ err }, 'a cache failed to follow a storage change');
    this.barrier = new Barrier(physical);
    this.tokens = new TokenStore(this.barrier);
    // A DR secondary gets its primary's revocations through replication; it must not expire tokens itself.
    this.expiration = new ExpirationManager(this.tokens, { logger: opts.logger.child({ component: 'expiration' }), active: () => !isDrSecondary(this.replicationModes().dr) && (opts.ha?.writesHere() ?? true) });
    this.tokens.expiry = this.expiration;
    // auth/token/* is no mount in the table: its tune is the built-in token mount's (sys/auth/token/tune).
    this.tokens.limitsFor = (path) => limitsOf(this.mounts.route(path)?.mount.entry.config ?? (path.startsWith('auth/token/') ? tokenMountConfig(this.barrier) : undefined));
    this.policies = new PolicyStore(this.barrier);
    this.wrapping = new WrappingStore(this.barrier);
    this.lockout = new UserLockout(this.barrier, (accessor) => this.mounts.entries('auth').find((e) => e.accessor === accessor), opts.userLockouts);
    this.mounts = new MountTable(this.barrier, {
      secret: SECRET_ENGINES,
      auth: AUTH_METHODS,
    });
    this.seal = new SealManager(this.barrier, {
      setupNew: (o) => setupNewCluster(this, o),
      afterUnseal: () => this.afterUnseal(),
      beforeSeal: () => {
        this.expiration.stop();
        this.sealListeners.forEach((l) => l());
      },
      migrationFailed: (err) => opts.logger.warn({ err }, 'unseal keys: could not move this data file to a sealed root key; it still opens with its shares, and the next unseal tries again'),
    });
    // A revoked token's cubbyhole goes with it, as in Vault.
    this.tokens.onRevoke = (tokenId) => {
      const cubby = this.mounts.route('cubbyhole/');
      if (cubby) destroyCubbyhole(cubby.mount.storage, tokenId);
    };
    this.audit = new AuditBroker(this.barrier, { logger: opts.logger.child({ component: 'audit' }), mountFor: (path) => auditMountOf(this.mounts.route(path)?.mount) });
    this.unsealListeners.push(() => void this.audit.load());
    this.sealListeners.push(() => this.audit.close());
    this.rootGeneration = new RootGeneration(this.barrier, {
      generate: () => this.tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root' }).id,
      revoke: (token) => {
        const entry = this.tokens.lookup(token);
        if (entry) this.tokens.revoke(entry);
      },
    });
    const w = wire(this);
    this.builtinRoutes = w.builtinRoutes;
    this.preAuthGates = w.preAuthGates ?? [];
    this.gates = w.gates ?? [];
    this.onReadOnly = w.onReadOnly;
    this.jwtWrappingToken = w.jwtWrappingToken;
    this.replicationModes = w.replicationModes ?? (() => ({ dr: 'disabled', performance: 'disabled' }));
  }

  get logger(): Logger {
    return this.opts.logger;
  }

  sealStatus(): SealStatusResponse {
    return this.seal.status({ clusterName: this.opts.clusterName, clusterId: this.barrier.sealed ? undefined : this.clusterId() });
  }

  private afterUnseal(): void {
    this.mounts.load();
    this.expiration.start();
    this.unsealListeners.forEach((l) => l());
    this.logger.info('vault is unsealed');
  }

  clusterId(): string {
    if (this.barrier.sealed) return '';
    const id = this.barrier.getJSON<string>(CLUSTER_ID_PATH);
    if (id) return id;
    const earlier = this.barrier.getJSON<string>(NODE_CLUSTER_ID_PATH);
    // A standby does not write the cluster's keys: it shows the id once the active's arrives through the log.
    if (!(this.opts.ha?.writesHere() ?? true)) return earlier ?? '';
    const fresh = earlier ?? newUuid();
    this.barrier.putJSON(CLUSTER_ID_PATH, fresh);
    return fresh;
  }

  /** Resolve a client token to the caller, or null when unknown/expired. */
  resolveToken(token: string): { caller: Caller; entry: TokenEntry } | null {
    const entry = this.tokens.lookup(token);
    if (!entry) return null;
    const root = entry.policies.includes('root');
    return {
      entry,
      caller: {
        tokenId: entry.id,
        accessor: entry.accessor,
        policies: entry.policies,
        displayName: entry.displayName,
        entityId: entry.entityId,
        root,
        tokenType: entry.type,
      },
    };
  }

  async handle(req: Request): Promise<Response> {
    // A token's last use is spent in handleRequest before any gate can forward
    // the request; the token is revoked once the request is over (Vault's UseToken).
    const spent: TokenEntry[] = [];
    let res: Response;
    try {
      res = await this.handleRequest(req, spent);
    } catch (err) {
      if (this.audit.enabled) await this.audit.logResponse(req, undefined, err);
      throw err;
    } finally {
      for (const e of spent) this.revokeSpent(e);
    }
    if (this.audit.enabled) await this.audit.logResponse(req, res); // Vault's blocking audit: no device, no answer
    return res;
  }

  private revokeSpent(entry: TokenEntry): void {
    try {
      if (!this.barrier.sealed) this.tokens.revoke(entry);
    } catch (err) {
      this.logger.error({ err }, 'revoking a used-up token failed; the expiration manager or a restart will retry');
    }
  }

  private async handleRequest(req: Request, spent: TokenEntry[]): Promise<Response> {
    checkRequestedWrapTtl(req.wrapTtl);
    const builtin = req.path.startsWith('sys/') || req.path.startsWith('auth/token/') ? matchRoute(this.builtinRoutes, req.path) : null;
    const routeKind = builtin ? 'builtin' : 'mount';
    if (builtin && !builtin.route.whileSealed && this.barrier.sealed) throw sealedError();
    if (!builtin && this.barrier.sealed) throw sealedError();

    for (const gate of this.preAuthGates) {
      const pending = gate(req, { authenticated: false, route: routeKind });
      const answer = pending === null ? null : await pending;
      if (answer) return answer;
    }

    let entry: TokenEntry | null = null;
    const needsToken = !builtin?.route.unauthenticated && !(routeKind === 'mount' && this.isUnauthenticatedMountPath(req.path));
    if (needsToken) {
      const resolved = req.caller ? null : this.resolveToken(req.clientToken);
      if (!req.caller) {
        if (!resolved) throw permissionDenied();
        req.caller = resolved.caller;
        entry = resolved.entry;
      }
    } else if (req.clientToken && !req.caller && !this.barrier.sealed) {
      // Unauthenticated paths ignore a token they cannot resolve (clients always send one).
      const resolved = this.resolveToken(req.clientToken);
      if (resolved) req.caller = resolved.caller;
    }
    // Spent here, before any gate: a request forwarded to the primary costs a use too.
    if (entry && this.tokens.use(entry).exhausted) spent.push(entry);

    for (const gate of this.gates) {
      const pending = gate(req, { authenticated: Boolean(req.caller), route: routeKind });
      const answer = pending === null ? null : await pending;
      if (answer) return answer;
    }

    if (this.audit.enabled) await this.audit.logRequest(req); // before the handler: when no device can log, nothing happens
    let res: Response | null;
    try {
      // A write this node does not own fails in storage with ReadOnlyError; the
      // request's earlier local writes are undone, so it can be forwarded whole.
      res = await this.physical.undoOnReadOnly(async () => {
        if (!builtin) return this.handleMounted(req, needsToken);
        const handler = builtin.route.ops[req.operation] ?? (req.operation === 'create' ? builtin.route.ops.update : undefined);
        if (!handler) throw new VaultError('method_not_allowed', `unsupported operation`);
        if (needsToken) this.authorize(req, req.operation, Boolean(builtin.route.sudo));
        return handler({ req, params: builtin.params, data: req.data, core: this });
      });
    } catch (err) {
      if (!(err instanceof ReadOnlyError && this.onReadOnly)) throw err;
      res = await this.onReadOnly(req, err);
      // A login the primary ran (it owned the write) comes back unminted: the token is made here, where it is used.
      if (!res.login) return res;
    }
    if (res === null) throw unsupportedPath(req.path);

    if (res.login) {
      // The primary's side of that forwarded login: the method ran here, the secondary mints.
      if (req.forwardedLogin) return { login: res.login };
      res = this.mintLoginToken(req, res);
    }
    const wrapTtl = res.forceWrapTtl ?? req.wrapTtl;
    if (wrapTtl && !res.raw && (res.status ?? 200) === 200) {
      const info = this.wrapping.wrap(envelope(req, res), wrapTtl, req.path, { wrappedAccessor: res.auth?.accessor });
      return { wrapInfo: info };
    }
    // A policy demanded wrapping (min/max_wrapping_ttl) but this answer cannot be wrapped: never hand it out bare.
    if (this.wrapDemanded.has(req) && (res.raw || res.data || res.auth)) throw permissionDenied();
    return res;
  }

  private isUnauthenticatedMountPath(path: string): boolean {
    const r = this.mounts.route(path);
    const patterns = r?.mount.backend.unauthenticatedPaths ?? [];
    return patterns.some((p) => (p.endsWith('*') ? r!.rest.startsWith(p.slice(0, -1)) : r!.rest === p));
  }

  private async handleMounted(req: Request, needsToken: boolean): Promise<Response | null> {
    const routed = this.mounts.route(req.path);
    if (!routed) return null;
    const breq = { operation: req.operation, path: routed.rest, data: req.data, query: req.query, mountPoint: routed.mount.routePath, caller: req.caller, request: req };
    if (req.operation === 'update' || req.operation === 'create') {
      const exists = routed.mount.backend.exists ? routed.mount.backend.exists(breq) : true;
      breq.operation = exists ? 'update' : 'create';
    }
    if (needsToken) this.authorize(req, breq.operation, false);
    // Logins go through user lockout first (Vault's handleLoginRequest).
    const alias = routed.mount.kind === 'auth' ? (routed.mount.backend.loginAlias?.(breq) ?? null) : null;
    if (alias !== null) return this.lockout.login(routed.mount.entry, alias, () => routed.mount.backend.handle(breq));
    return routed.mount.backend.handle(breq);
  }

  /**
   * The ACL check for the resolved caller, in one place: capability, sudo,
   * parameter rules and wrap-TTL bounds all come from Acl.authorize.
   */
  authorize(req: Request, op: Operation, sudo: boolean): void {
    const caller = req.caller;
    if (!caller) throw permissionDenied();
    if (caller.root) return;
    const acl = this.policies.aclFor(caller.policies);
    // As in Vault, writing a path that does not exist yet needs `create`: `update` alone never creates.
    const decision = acl.authorize({ path: req.path, operation: op, data: req.data, wrapTtl: req.wrapTtl });
    if (!decision.allowed || (sudo && !decision.sudo)) {
      this.logger.debug({ path: req.path, operation: op, reason: decision.allowed ? 'sudo required' : decision.reason }, 'permission denied');
      throw permissionDenied();
    }
    if (decision.wrapRequired) this.wrapDemanded.add(req);
  }

  /**
   * The one place where an auth method's login becomes a token. Whatever the
   * user or role record says, a login never yields root (Vault's
   * handleLoginRequest); TTLs default to and are capped by the mount's tune.
   */
  private mintLoginToken(req: Request, res: Response): Response {
    const l = res.login!;
    const policies = sanitizePolicies(l.policies, false);
    if (policies.includes('root')) throw badRequest('auth methods cannot create root tokens');
    const internal = policies.find((p) => NON_ASSIGNABLE_POLICIES.includes(p));
    if (internal) throw badRequest(`cannot assign policy "${internal}"`);
    const entry = this.tokens.create({
      policies,
      path: req.path,
      displayName: l.displayName,
      meta: l.metadata ?? null,
      ttl: l.ttl,
      explicitMaxTtl: l.explicitMaxTtl,
      period: l.period,
      numUses: l.numUses,
      renewable: l.renewable ?? true,
      type: l.tokenType,
      orphan: true,
      entityId: l.entityId,
      noDefaultPolicy: l.noDefaultPolicy,
    });
    const auth = { ...authBlockOf(entry), metadata: l.metadata ?? null };
    return { ...res, login: undefined, auth, data: res.data ?? null };
  }
}
