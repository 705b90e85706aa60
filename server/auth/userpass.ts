import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Backend } from '../core/backend';
import type { AuthResult, BackendRequest, Response } from '../core/request';
import type { StorageView } from '../core/storage-view';
import { badRequest, InvalidCredentialsError, permissionDenied, VaultError } from '../errors';
import { parseDuration } from './duration';

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
const TOKEN_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'] as const;
type TokenTypeSetting = (typeof TOKEN_TYPES)[number];
/** Deprecated request field → the token_* field it sets (tokenutil.UpgradeValue). */
const LEGACY_FIELDS = { policies: 'token_policies', ttl: 'token_ttl', max_ttl: 'token_max_ttl', bound_cidrs: 'token_bound_cidrs' } as const;
type LegacyField = keyof typeof LEGACY_FIELDS;

interface PasswordHash {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

interface UserEntry {
  password: PasswordHash;
  token_policies: string[];
  token_ttl: number;
  token_max_ttl: number;
  token_explicit_max_ttl: number;
  token_period: number;
  token_num_uses: number;
  token_type: TokenTypeSetting;
  token_bound_cidrs: string[];
  /** Deprecated names the user was configured with; reads echo them as Vault does. */
  legacy: LegacyField[];
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
    else applyPolicies(entry, req.data);
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
    const data: Record<string, unknown> = {
      token_bound_cidrs: u.token_bound_cidrs,
      token_explicit_max_ttl: u.token_explicit_max_ttl,
      token_max_ttl: u.token_max_ttl,
      token_no_default_policy: false,
      token_num_uses: u.token_num_uses,
      token_period: u.token_period,
      token_policies: u.token_policies,
      token_ttl: u.token_ttl,
      token_type: u.token_type,
    };
    for (const old of u.legacy) data[old] = data[LEGACY_FIELDS[old]];
    return { data };
  }

  private async writeUser(name: string, body: Record<string, unknown>): Promise<Response> {
    const existing = this.user(name);
    if (!existing && (body.password === undefined || body.password === '')) throw badRequest('missing password');
    const entry: UserEntry = existing ?? {
      password: undefined as unknown as PasswordHash,
      token_policies: [],
      token_ttl: 0,
      token_max_ttl: 0,
      token_explicit_max_ttl: 0,
      token_period: 0,
      token_num_uses: 0,
      token_type: 'default',
      token_bound_cidrs: [],
      legacy: [],
    };
    applyTokenFields(entry, body);
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
    const login: AuthResult = {
      policies: [...user.token_policies],
      displayName: displayName(req.mountPoint, name),
      metadata: { username: name },
      ttl: user.token_ttl,
      // AuthResult has no max TTL: both caps end the token's life, so pass the tighter one.
      explicitMaxTtl: minSet(user.token_explicit_max_ttl, user.token_max_ttl),
      period: user.token_period,
      numUses: user.token_num_uses,
      renewable: true,
      tokenType: user.token_type.endsWith('batch') ? 'batch' : user.token_type.endsWith('service') ? 'service' : undefined,
    };
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

// ---- token fields (tokenutil.ParseTokenFields) ----

function applyPolicies(entry: UserEntry, body: Record<string, unknown>): void {
  pickLegacy(entry, body, 'policies', (v) => (entry.token_policies = commaList(v, 'token_policies')));
}

function applyTokenFields(entry: UserEntry, body: Record<string, unknown>): void {
  applyPolicies(entry, body);
  pickLegacy(entry, body, 'ttl', (v) => (entry.token_ttl = parseDuration(v, 'token_ttl')));
  pickLegacy(entry, body, 'max_ttl', (v) => (entry.token_max_ttl = parseDuration(v, 'token_max_ttl')));
  pickLegacy(entry, body, 'bound_cidrs', (v) => (entry.token_bound_cidrs = commaList(v, 'token_bound_cidrs').map(checkCidr)));
  if (body.token_explicit_max_ttl !== undefined) entry.token_explicit_max_ttl = parseDuration(body.token_explicit_max_ttl, 'token_explicit_max_ttl');
  if (body.token_period !== undefined) entry.token_period = parseDuration(body.token_period, 'token_period');
  if (body.token_num_uses !== undefined) {
    const n = typeof body.token_num_uses === 'string' && /^-?\d+$/.test(body.token_num_uses) ? Number(body.token_num_uses) : body.token_num_uses;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`invalid value for "token_num_uses": expected an integer, got ${JSON.stringify(body.token_num_uses)}`);
    if (n < 0) throw badRequest("'token_num_uses' cannot be negative");
    entry.token_num_uses = n;
  }
  if (body.token_type !== undefined) {
    if (!TOKEN_TYPES.includes(body.token_type as TokenTypeSetting)) throw badRequest(`invalid 'token_type' value ${JSON.stringify(body.token_type)}`);
    entry.token_type = body.token_type as TokenTypeSetting;
  }
  if (body.token_no_default_policy === true || body.token_no_default_policy === 'true')
    throw badRequest('token_no_default_policy is not supported by this server yet');
  const batch = entry.token_type.endsWith('batch');
  if (batch && entry.token_period !== 0) throw badRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens");
  if (batch && entry.token_num_uses !== 0) throw badRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count");
  if (entry.token_max_ttl !== 0 && entry.token_ttl > entry.token_max_ttl) throw badRequest("'token_ttl' cannot be greater than 'token_max_ttl'");
}

/** Apply either the token_* field or its deprecated alias (never both), remembering the alias for reads. */
function pickLegacy(entry: UserEntry, body: Record<string, unknown>, old: LegacyField, apply: (v: unknown) => void): void {
  const current = LEGACY_FIELDS[old];
  const hasNew = body[current] !== undefined;
  const hasOld = body[old] !== undefined;
  if (hasNew && hasOld) throw badRequest(`cannot set both "${current}" and "${old}"`);
  if (!hasNew && !hasOld) return;
  apply(hasNew ? body[current] : body[old]);
  entry.legacy = entry.legacy.filter((l) => l !== old);
  if (hasOld) entry.legacy.push(old);
}

/** Vault's TypeCommaStringSlice: "a, b" or ["a","b"]; trimmed, empties and duplicates dropped. */
function commaList(v: unknown, field: string): string[] {
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (!items || !items.every((i) => typeof i === 'string' || typeof i === 'number'))
    throw badRequest(`invalid value for "${field}": expected a comma-separated string or a list of strings, got ${JSON.stringify(v)}`);
  return [...new Set(items.map((i) => String(i).trim()).filter((i) => i !== ''))];
}

function minSet(...values: number[]): number {
  const set = values.filter((v) => v > 0);
  return set.length ? Math.min(...set) : 0;
}

// ---- bound CIDRs ----

function checkCidr(cidr: string): string {
  if (!cidrBlock(cidr)) throw badRequest(`invalid value for "token_bound_cidrs": ${JSON.stringify(cidr)} is not an IP address or CIDR block`);
  return cidr;
}

function cidrBlock(cidr: string): BlockList | null {
  const [addr, bits, extra] = cidr.split('/');
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) return null;
  const list = new BlockList();
  list.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

function addressAllowed(remote: string | undefined, cidrs: string[]): boolean {
  if (!remote) return false;
  const addr = remote.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
  return cidrs.some((c) => cidrBlock(c)?.check(addr, family) ?? false);
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
