import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

// Owner-only permissions for everything storage puts on disk, whatever the
// process umask: the data directory 0700, the SQLite file and its sidecars
// 0600. The contents are ciphertext, but the keyring (sealed by the root key),
// key names and sizes are still nobody else's business.
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;
/** Files SQLite keeps beside the database (WAL mode, and a rollback journal if one is ever used). */
export const SQLITE_SIDECARS = ['-wal', '-shm', '-journal'];

/**
 * Create the data directory 0700, or tighten an existing one that is looser.
 * Returns the mode it had when it was looser (for the caller to log), else null.
 */
export function secureDataDir(dir: string): number | null {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE }); // mode is masked by the umask; chmod below is not
  const mode = statSync(dir).mode & 0o777;
  if (mode === DATA_DIR_MODE) return null;
  chmodSync(dir, DATA_DIR_MODE);
  return mode & ~DATA_DIR_MODE ? mode : null;
}

/**
 * Before SQLite opens `path`: create it 0600 (SQLite would create 0644 & ~umask)
 * and tighten any existing file and sidecar. SQLite gives new -wal and -shm
 * files the database file's permissions, so they follow.
 */
export function prepareDbFile(path: string): void {
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
  chmodDbFiles(path);
}

/** chmod 0600 the database and whichever sidecars exist (after open too: belt and braces). */
export function chmodDbFiles(path: string): void {
  for (const f of [path, ...SQLITE_SIDECARS.map((s) => path + s)]) {
    if (existsSync(f) && (statSync(f).mode & 0o777) !== DATA_FILE_MODE) chmodSync(f, DATA_FILE_MODE);
  }
}
