import { badRequest } from '../errors';

// The logical path of a /v1/* request target. `..` anywhere in it is refused
// with Vault's message (sdk/helper/consts ErrPathContainsParentReferences):
// the URL parser would otherwise resolve `secret/../sys/x` — or its %2e%2e
// spelling — into a different path than the client wrote, and storage refuses
// `..` in keys anyway (as a 500, deep down). A malformed %-escape is a 400 with
// Go's url.EscapeError wording, not a URIError.

/** Characters the WHATWG URL parser leaves as they are in a path, with no `.` (dot segments) and no `%` (escapes). */
const PLAIN_PATH = /^\/v1\/[A-Za-z0-9_\-/]*$/;

export const PARENT_REFERENCES = 'path cannot contain parent references';

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    const bad = /%(?![0-9a-fA-F]{2}).{0,2}/s.exec(raw);
    throw badRequest(bad ? `invalid URL escape ${JSON.stringify(bad[0])}` : 'invalid URL escape: the path is not valid UTF-8');
  }
}

/** "/v1/secret/data/a%20b?x=1" → "secret/data/a b". Throws a 400 VaultError for a bad escape or `..`. */
export function apiPathOf(target: string): string {
  // The common case, a plain path: the URL parser would return it unchanged (no escapes, no dots to resolve).
  if (PLAIN_PATH.test(target)) return target.slice('/v1/'.length).replace(/^\/+/, '');
  const raw = target.split(/[?#]/, 1)[0];
  if (decode(raw).includes('..')) throw badRequest(PARENT_REFERENCES);
  // Single-dot segments and the like are resolved by the URL parser, as before.
  return decode(new URL(raw, 'http://coffer').pathname).slice('/v1/'.length).replace(/^\/+/, '');
}
