import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSources, parseArgsData } from './kv-args';

const stdin = (text: string) => fileSources(async () => text);

describe('parseArgsData (k=v request data)', () => {
  it('turns k=v pairs into string values, splitting on the first "="', async () => {
    const data = await parseArgsData(['password=changeme', 'policies=superuser', 'expr=a=b'], stdin(''));
    expect(data).toEqual({ password: 'changeme', policies: 'superuser', expr: 'a=b' });
  });

  it('reads k=@file from disk and keeps \\@ as a literal @', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-cli-'));
    const file = join(dir, 'cert.pem');
    writeFileSync(file, '-----BEGIN-----\nabc\n');
    const data = await parseArgsData([`cert=@${file}`, 'handle=\\@coffer'], stdin(''));
    expect(data).toEqual({ cert: '-----BEGIN-----\nabc\n', handle: '@coffer' });
  });

  it('reads k=- from stdin verbatim', async () => {
    expect(await parseArgsData(['policy=-'], stdin('path "*" {}\n'))).toEqual({ policy: 'path "*" {}\n' });
  });

  it('merges a JSON object from stdin for a lone "-", later pairs override', async () => {
    const data = await parseArgsData(['-', 'b=override'], stdin('{"a":{"x":1},"b":"orig"}'));
    expect(data).toEqual({ a: { x: 1 }, b: 'override' });
  });

  it('merges a JSON object from @file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-cli-'));
    const file = join(dir, 'body.json');
    writeFileSync(file, '{"ttl":"1h"}');
    expect(await parseArgsData([`@${file}`], stdin(''))).toEqual({ ttl: '1h' });
  });

  it('keeps the last value of a repeated key', async () => {
    expect(await parseArgsData(['a=1', 'a=2'], stdin(''))).toEqual({ a: '2' });
  });

  it('refuses to read stdin twice, non-object JSON, and bare words', async () => {
    await expect(parseArgsData(['a=-', 'b=-'], stdin('x'))).rejects.toThrow('stdin already consumed');
    await expect(parseArgsData(['-'], stdin('[1,2]'))).rejects.toThrow(/must be an object/);
    await expect(parseArgsData(['-'], stdin('not json'))).rejects.toThrow(/invalid JSON/);
    await expect(parseArgsData(['oops'], stdin(''))).rejects.toThrow(/format must be key=value/);
    await expect(parseArgsData(['a=@/nonexistent/file'], stdin(''))).rejects.toThrow(/error reading file/);
  });
});
