import hcl from 'js-hcl-parser';

// One door to the HCL1 parser for config files and ACL policies. HCL1 (not
// HCL2) is the dialect Vault reads, so files that work with Vault parse here
// the same way, trailing commas and all.

export type HclObject = Record<string, unknown>;

/** A labelled block such as `path "secret/*" { … }` or `listener "tcp" { … }`. */
export interface HclBlock {
  label: string;
  body: HclObject;
}

export class HclSyntaxError extends Error {
  constructor(
    /** The parser's message without its position prefix. */
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? detail : `At ${line}:${column}: ${detail}`);
    this.name = 'HclSyntaxError';
  }
}

// The GopherJS build wraps every failure in this prefix, even for HCL input.
const WRAPPER_PREFIX = 'unable to parse JSON: ';
const POSITION = /^At (\d+):(\d+): ?/;

/** Parse HCL1 (or JSON) text into HCL1's JSON shape: blocks become arrays of objects. */
export function parseHcl(text: string): HclObject {
  const out = hcl.parse(text);
  let value: unknown;
  try {
    value = JSON.parse(out);
  } catch {
    throw syntaxError(out);
  }
  if (!isObject(value)) throw new HclSyntaxError('the document is not an object');
  return value;
}

function syntaxError(raw: string): HclSyntaxError {
  const msg = raw.startsWith(WRAPPER_PREFIX) ? raw.slice(WRAPPER_PREFIX.length) : raw;
  const m = POSITION.exec(msg);
  if (!m) return new HclSyntaxError(msg);
  return new HclSyntaxError(msg.slice(m[0].length), Number(m[1]), Number(m[2]));
}

export function isObject(v: unknown): v is HclObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The blocks under one key, in file order. HCL1 gives `key "label" { body }` as
 * `[{ label: [body] }]`; JSON input and repeated blocks come out the same way.
 * Returns null when the value is not block-shaped (e.g. `path = "x"`).
 */
export function labelledBlocks(value: unknown): HclBlock[] | null {
  if (!Array.isArray(value)) return null;
  const blocks: HclBlock[] = [];
  for (const item of value) {
    if (!isObject(item)) return null;
    for (const [label, bodies] of Object.entries(item)) {
      const list = Array.isArray(bodies) ? bodies : [bodies];
      for (const body of list) {
        if (!isObject(body)) return null;
        blocks.push({ label, body });
      }
    }
  }
  return blocks;
}

/** The bodies of an unlabelled block such as `telemetry { … }`, or null if not block-shaped. */
export function plainBlocks(value: unknown): HclObject[] | null {
  if (!Array.isArray(value) || !value.every(isObject)) return null;
  return value;
}
