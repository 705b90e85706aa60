import type { IncomingMessage } from 'node:http';
import { badRequest, VaultError } from '../errors';

// Vault caps request bodies at 32 MiB (max_request_size).
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
// Vault's listener max_json_depth default. JSON.parse itself copes with any
// depth, but what runs after it (JSON.stringify into storage, merge-patch,
// structuredClone) recurses and overflows the stack ~10,000 levels down.
export const MAX_JSON_DEPTH = 500;

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume(); // drain so the connection can answer
    throw new VaultError('too_large', 'http: request body too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        req.resume();
        throw new VaultError('too_large', 'http: request body too large');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    // The client went away (or a read timeout cut it off) mid-body: its fault, not an internal error.
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') throw badRequest('client closed the connection before sending the whole request body');
    throw err;
  }
  return Buffer.concat(chunks);
}

/** The JSON body as an object; empty means {}. */
export function parseJsonObject(buf: Buffer): Record<string, unknown> {
  const text = buf.toString('utf8').trim();
  if (!text) return {};
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw badRequest(`failed to parse JSON input: JSON input exceeded allowed nesting depth of ${MAX_JSON_DEPTH}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest(`failed to parse JSON input: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest(`failed to parse JSON input: expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  return parsed as Record<string, unknown>;
}

/** Deepest nesting of arrays and objects in JSON text, counted without parsing (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip a string, honouring backslash escapes
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}
