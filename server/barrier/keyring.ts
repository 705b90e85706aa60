import { randomBytes } from 'node:crypto';

export interface KeyTerm {
  term: number;
  key: Buffer;
  installTime: string;
}

// The barrier keyring: every encryption key term ever installed, newest
// active. A value object: addKey returns a new Keyring (vault/keyring.go).
export class Keyring {
  private constructor(private readonly terms: readonly KeyTerm[]) {}

  static create(): Keyring {
    return new Keyring([{ term: 1, key: randomBytes(32), installTime: new Date().toISOString() }]);
  }

  get active(): KeyTerm {
    return this.terms[this.terms.length - 1];
  }

  termKey(term: number): Buffer | undefined {
    return this.terms.find((t) => t.term === term)?.key;
  }

  /** A new keyring with a fresh active term. */
  rotate(): Keyring {
    const next: KeyTerm = { term: this.active.term + 1, key: randomBytes(32), installTime: new Date().toISOString() };
    return new Keyring([...this.terms, next]);
  }

  serialize(): Buffer {
    return Buffer.from(JSON.stringify(this.terms.map((t) => ({ term: t.term, key: t.key.toString('base64'), install_time: t.installTime }))));
  }

  static deserialize(buf: Buffer): Keyring {
    const raw = JSON.parse(buf.toString()) as { term: number; key: string; install_time: string }[];
    return new Keyring(raw.map((t) => ({ term: t.term, key: Buffer.from(t.key, 'base64'), installTime: t.install_time })));
  }
}
