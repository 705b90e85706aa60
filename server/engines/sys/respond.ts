import { envelope } from '../../core/envelope';
import type { Request, Response } from '../../core/request';
import { badRequest } from '../../errors';

// Response helpers shared by the sys routes.

/** Some sys endpoints answer bare JSON, not the envelope (sys/health, sys/init, sys/unseal …). */
export const rawJson = (body: unknown, status = 200): Response => ({ raw: { status, body } });

/** Older sys endpoints put their fields at the top level AND under data (sys/mounts, sys/policy …). */
export const mergedJson = (req: Request, data: Record<string, unknown>): Response => ({
  raw: { status: 200, body: { ...data, ...envelope(req, { data }) } },
});

export const noContent = (): Response => ({ status: 204 });

export const notFound = (): Response => ({ status: 404, data: null });

export function str(data: Record<string, unknown>, field: string, fallback = ''): string {
  const v = data[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw badRequest(`'${field}' must be a string`);
  return v;
}

export function bool(data: Record<string, unknown>, field: string, fallback = false): boolean {
  const v = data[field];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw badRequest(`'${field}' must be a boolean`);
}

export function int(data: Record<string, unknown>, field: string, fallback = 0): number {
  const v = data[field];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw badRequest(`'${field}' must be an integer`);
  return n;
}

export function strList(data: Record<string, unknown>, field: string): string[] | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw badRequest(`'${field}' must be a list of strings or a comma-separated string`);
}
