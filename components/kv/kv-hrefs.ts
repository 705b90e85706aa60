// Console addresses of the KV browser, mirroring Vault's UI:
// /vault/secrets/<mount>/list/<dir>, …/show/<path>, …/create, …/edit/<path>.
import { encodePath } from '@/lib/api/kv';

const mountSegment = (mount: string) => encodeURIComponent(mount.replace(/^\/+|\/+$/g, ''));

export const kvListHref = (mount: string, dir: string) => `/vault/secrets/${mountSegment(mount)}/list${dir ? `/${encodePath(dir)}` : ''}`;
export const kvShowHref = (mount: string, path: string, version?: number) =>
  `/vault/secrets/${mountSegment(mount)}/show/${encodePath(path)}${version ? `?version=${version}` : ''}`;
export const kvEditHref = (mount: string, path: string) => `/vault/secrets/${mountSegment(mount)}/edit/${encodePath(path)}`;
export const kvCreateHref = (mount: string, dir: string) => `/vault/secrets/${mountSegment(mount)}/create${dir ? `?initialKey=${encodeURIComponent(dir)}` : ''}`;

/** Route segments back into a path; `dir` keeps a trailing slash. */
export function joinSegments(segments: string[] | undefined, dir: boolean): string {
  const path = (segments ?? []).map((s) => safeDecode(s)).join('/');
  return dir && path ? `${path}/` : path;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
