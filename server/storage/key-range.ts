import type Database from 'better-sqlite3';

// Key listing over the entries table, by key range (the primary key's order):
// Vault's list (immediate children, folders ending in '/') and a recursive walk.
export class KeyRange {
  private readonly range;
  private readonly all;

  constructor(db: Database.Database) {
    this.range = db.prepare<[string, string], { key: string }>('SELECT key FROM entries WHERE key >= ? AND key < ? ORDER BY key');
    this.all = db.prepare<[], { key: string }>('SELECT key FROM entries ORDER BY key');
  }

  /** Every key under prefix (recursive), in order. */
  keysUnder(prefix: string): string[] {
    const rows = prefix === '' ? this.all.all() : this.range.all(prefix, upperBound(prefix));
    return rows.map((r) => r.key);
  }

  /** Vault list semantics: immediate children of prefix, folders end in '/'. */
  list(prefix: string): string[] {
    const out = new Set<string>();
    for (const key of this.keysUnder(prefix)) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...out];
  }
}

/** Smallest string greater than every string starting with prefix. */
function upperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
