import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Backend } from '../core/backend';
import type { AuthResult, BackendRequest, Response } from '../core/request';
import type { StorageView } from '../core/storage-view';
import { badRequest, InvalidCredentialsError, permissionDenied, VaultError } from '../errors';
import { addressAllowed } from './bound-cidrs';
import { applyTokenFields, applyTokenPolicies, defaultTokenFields, tokenAuthOf, tokenFieldsData, type LegacyField, type TokenFields } from './token-fields';

// userpass auth method (vault builtin/credential/userpass, token fields from
// sdk/helper/tokenutil). Users live at "user/<lowercased name>"; only a
// password hash is stored and no read ever returns it.
//
// Why scrypt: it ships with node:crypto and is memory-hard, so guessing is
// costly on GPUs too. Vault uses bcrypt, which here would need a native addon
// (another node-gyp build) or a slow pure-JS port.
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;
const USER_PREFIX = 'user/';
const NAME = /^\w(?:[\w\-.@]*\w)?$/;
/** Deprecated request fields userpass still takes (tokenutil.UpgradeValue). */
const LEGACY: readonly LegacyField[] = ['policies', 'ttl', 'max_ttl', 'bound_cidrs'];

interface PasswordHash {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

interface UserEntry extends TokenFields {
  password: PasswordHash;
}

type Route = { kind: 'list' } | { kind: 'user' | 'password' | 'policies' | 'login'; name: string };

export class UserpassBackend implements Backend {
  readonly type = 'userpass';
  readonly unauthenticatedPaths = ['login/*'];

  constructor(private readonly storage: StorageView) {}

  async handle(req: BackendRequest): Promise<Response | null> {
    const route = routeOf(req.path);
    if (!route) return null;
    const op = req.operation;
    const write = op === 'create' || op === 'update';
    if (route.kind === 'list') {
      if (op !== 'list') throw unsupported();
      const keys = this.storage.list(USER_PREFIX);
      return keys.length ? { data: { keys } } : { status: 404, data: null };
    }
    if (route.kind === 'user') {
      if (op === 'read') return this.readUser(route.name);
      if (op === 'delete') {
        this.storage.delete(USER_PREFIX + route.name);
        return { status: 204 };
      }
      if (write) return this.writeUser(route.name, req.data);
      throw unsupported();
    }
    if (!write) throw unsupported();
    if (route.kind === 'login') return this.login(req, route.name);
    const entry = this.user(route.name);
    if (!entry) throw badRequest('username does not exist');
    if (route.kind === 'password') entry.password = await hashPassword(passwordField(req.data));
    else applyTokenPolicies(entry, req.data, LEGACY);
    this.storage.putJSON(USER_PREFIX + route.name, entry);
    return { status: 204 };
  }

  loginAlias(req: BackendRequest): string | null {
    const route = routeOf(req.path);
    return route?.kind === 'login' ? route.name : null;
  }

  exists(req: BackendRequest): boolean {
    const route = routeOf(req.path);
    return route?.kind === 'user' ? this.user(route.name) !== null : true;
  }

  private user(name: string): UserEntry | null {
    return this.storage.getJSON<UserEntry>(USER_PREFIX + name);
  }

  private readUser(name: string): Response {
    const u = this.user(name);
    if (!u) return { status: 404, data: null };
    const data = tokenFieldsData(u);
    return { data };
  }

  private async writeUser(name: string, body: Record<string, unknown>): Promise<Response> {
    const existing = this.user(name);
    if (!existing && (body.password === undefined || body.password === '')) throw badRequest('missing password');
    const entry: UserEntry = existing ?? { ...defaultTokenFields(), password: undefined as unknown as PasswordHash };
    applyTokenFields(entry, body, LEGACY);
    if (body.password !== undefined) entry.password = await hashPassword(passwordField(body));
    this.storage.putJSON(USER_PREFIX + name, entry);
    return { status: 204 };
  }

  private async login(req: BackendRequest, name: string): Promise<Response> {
    const password = req.data.password;
    if (typeof password !== 'string' || password === '') throw badRequest('missing password');
    const user = this.user(name);
    // Hash even for unknown users so the answer takes as long either way.
    const ok = await verifyPassword(password, user?.password ?? (await dummyHash()));
    if (!user || !ok) throw new InvalidCredentialsError();
    if (user.token_bound_cidrs.length > 0 && !addressAllowed(req.request.remoteAddr, user.token_bound_cidrs)) throw permissionDenied();
    const login: AuthResult = { ...tokenAuthOf(user), displayName: displayName(req.mountPoint, name), metadata: { username: name } };
    return { login };
  }
}

function routeOf(path: string): Route | null {
  if (path === 'users' || path === 'users/') return { kind: 'list' };
  const parts = path.split('/');
  if (parts.length < 2 || !NAME.test(parts[1])) return null;
  const name = parts[1].toLowerCase();
  if (parts[0] === 'login' && parts.length === 2) return { kind: 'login', name };
  if (parts[0] !== 'users') return null;
  if (parts.length === 2) return { kind: 'user', name };
  if (parts.length === 3 && parts[2] === 'password') return { kind: 'password', name };
  if (parts.length === 3 && parts[2] === 'policies') return { kind: 'policies', name };
  return null;
}

/** Vault prefixes the display name with the mount path: auth/userpass/ + tester → "userpass-tester". */
function displayName(mountPoint: string, name: string): string {
  const source = mountPoint.replace(/^auth\//, '').replace(/\//g, '-');
  return (source + name).replace(/-$/, '');
}

function unsupported() {
  return new VaultError('unsupported_operation', 'unsupported operation');
}

// ---- passwords ----

function passwordField(body: Record<string, unknown>): string {
  const p = body.password;
  if (p === undefined || p === '') throw badRequest('missing password');
  if (typeof p !== 'string') throw badRequest('invalid value for "password": expected a string');
  return p;
}

function scryptAsync(password: string, salt: Buffer, keyLength: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SCRYPT.saltLength);
  const { N, r, p } = SCRYPT;
  const hash = await scryptAsync(password, salt, SCRYPT.keyLength, { N, r, p });
  return { alg: 'scrypt', N, r, p, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(stored.salt, 'base64'), expected.length, { N: stored.N, r: stored.r, p: stored.p });
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<PasswordHash> | null = null;
function dummyHash(): Promise<PasswordHash> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
