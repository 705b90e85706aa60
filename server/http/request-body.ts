import type { IncomingMessage } from 'node:http';
import { badRequest, VaultError } from '../errors';

// Vault caps request bodies at 32 MiB (max_request_size).
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume(); // drain so the connection can answer
    throw new VaultError('too_large', 'http: request body too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new VaultError('too_large', 'http: request body too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The JSON body as an object; empty means {}. */
export function parseJsonObject(buf: Buffer): Record<string, unknown> {
  const text = buf.toString('utf8').trim();
  if (!text) return {};
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
