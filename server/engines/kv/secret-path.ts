import { badRequest } from '../../errors';

// Secret names become storage keys. A storage view refuses keys containing
// "..", so say so as a 400 here instead of failing deep down with a 500.

export function checkDots(path: string): void {
  if (path.includes('..')) throw badRequest(`invalid path "${path}": ".." is not allowed in secret paths`);
}

/** A path naming one secret: non-empty and not a folder. */
export function secretKey(path: string): string {
  checkDots(path);
  if (path === '') throw badRequest('missing path');
  if (path.endsWith('/')) throw badRequest(`invalid path "${path}": a secret path cannot end with "/"`);
  return path;
}

/** A folder to list: "" (the root) or a path ending in "/", as Vault's list does. */
export function listPrefix(path: string): string {
  checkDots(path);
  return path === '' || path.endsWith('/') ? path : path + '/';
}

/** Vault's list response: 404 with no body when there is nothing under the prefix. */
export function listResponse(keys: string[]) {
  return keys.length === 0 ? { status: 404, data: null } : { data: { keys } };
}
