// Request data from `k=v` arguments, Vault's kv-builder grammar:
//   k=v        a string value
//   k=@file    the file's contents       (k=\@x keeps a literal "@x")
//   k=-        all of stdin
//   -          a JSON object read from stdin, merged in
//   @file      a JSON object read from a file, merged in
// Repeated keys: the last one wins (Vault turns them into lists; Coffer keeps
// the simpler rule and servers split comma lists such as policies=a,b).
import { readFile } from 'node:fs/promises';
import { UsageError } from './flags';

export interface DataSources {
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
}

export const fileSources = (readStdin: () => Promise<string>): DataSources => ({
  readStdin,
  readFile: (p) => readFile(p, 'utf8'),
});

export async function parseArgsData(args: readonly string[], src: DataSources): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let stdinUsed = false;
  const stdinOnce = async () => {
    if (stdinUsed) throw new UsageError('stdin already consumed');
    stdinUsed = true;
    return src.readStdin();
  };

  for (const raw of args) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      if (raw === '-') {
        Object.assign(out, parseJsonObject(await stdinOnce(), 'stdin'));
        continue;
      }
      if (raw.startsWith('@')) {
        Object.assign(out, parseJsonObject(await readDataFile(src, raw.slice(1)), raw.slice(1)));
        continue;
      }
      throw new UsageError(`format must be key=value: ${raw}`);
    }
    const key = raw.slice(0, eq);
    let value = raw.slice(eq + 1);
    if (value.startsWith('@')) value = await readDataFile(src, value.slice(1));
    else if (value.startsWith('\\@')) value = value.slice(1);
    else if (value === '-') value = await stdinOnce();
    out[key] = value;
  }
  return out;
}

async function readDataFile(src: DataSources, path: string): Promise<string> {
  try {
    return await src.readFile(path);
  } catch (err) {
    throw new UsageError(`error reading file: ${(err as Error).message}`);
  }
}

function parseJsonObject(text: string, from: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`invalid JSON from ${from}: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`JSON from ${from} must be an object`);
  }
  return parsed as Record<string, unknown>;
}
