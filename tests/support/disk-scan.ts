import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { api, type ConfiguredServer } from './cluster';

// Helpers for "nothing usable is plaintext on disk" tests: initialise a
// configured server, then look for known secret values in every file of a
// data directory and in captured process output.

export interface Initialised {
  rootToken: string;
  keys: string[];
  keysB64: string[];
}

/** sys/init with `shares` shares (threshold = shares) and unseal. A 1-of-1 share is the unseal key itself (never the root key: local-seal.ts). */
export async function initAndUnseal(s: ConfiguredServer, shares = 1): Promise<Initialised> {
  const init = await api(s.addr, 'PUT', 'sys/init', { body: { secret_shares: shares, secret_threshold: shares } });
  if (init.status !== 200) throw new Error(`init: ${init.status} ${JSON.stringify(init.body)}`);
  for (const key of init.body.keys) await api(s.addr, 'PUT', 'sys/unseal', { body: { key } });
  return { rootToken: init.body.root_token, keys: init.body.keys, keysB64: init.body.keys_base64 };
}

export interface Needle {
  name: string;
  bytes: Buffer;
}

/**
 * A secret as text plus the raw bytes it encodes, when it is long hex or
 * base64 (a key stored decoded would otherwise slip through). Short decodings
 * are skipped: a few random bytes would match ciphertext by chance.
 */
export function needles(name: string, value: string): Needle[] {
  const out: Needle[] = [{ name, bytes: Buffer.from(value) }];
  if (/^[0-9a-f]+$/i.test(value) && value.length % 2 === 0 && value.length >= 32) out.push({ name: `${name} (hex-decoded)`, bytes: Buffer.from(value, 'hex') });
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && value.length >= 24) out.push({ name: `${name} (base64-decoded)`, bytes: Buffer.from(value, 'base64') });
  return out;
}

/** Every regular file under dir, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** "needle in where" for every hit; empty means clean. */
export function findNeedles(haystacks: { where: string; bytes: Buffer }[], ns: Needle[]): string[] {
  const hits: string[] = [];
  for (const h of haystacks) for (const n of ns) if (n.bytes.length && h.bytes.includes(n.bytes)) hits.push(`${n.name} in ${h.where}`);
  return hits;
}

export const dataFiles = (dir: string) => filesUnder(dir).map((p) => ({ where: p, bytes: readFileSync(p) }));
