import type { Operation, Request, Response } from './request';

// Built-in paths (sys/*, auth/token/*) as a table of patterns, each with the
// handlers it supports and its access rules (vault logical.Paths +
// PathsSpecial). Mounted engines route through MountTable instead.
export interface RouteContext<C> {
  req: Request;
  params: Record<string, string>;
  data: Record<string, unknown>;
  core: C;
}

export type RouteHandler<C> = (ctx: RouteContext<C>) => Promise<Response | null> | Response | null;

export interface Route<C> {
  /** Anchored regex source over the full path, named groups become params. */
  pattern: string;
  ops: Partial<Record<Operation, RouteHandler<C>>>;
  /** Reachable without a token (Vault's PathsSpecial.Unauthenticated). */
  unauthenticated?: boolean;
  /** Needs the sudo capability too (Vault's PathsSpecial.Root). */
  sudo?: boolean;
  /** Served while sealed or uninitialised. */
  whileSealed?: boolean;
}

export interface CompiledRoute<C> extends Route<C> {
  regex: RegExp;
}

export function compileRoutes<C>(routes: Route<C>[]): CompiledRoute<C>[] {
  return routes.map((r) => ({ ...r, regex: new RegExp(`^${r.pattern}$`) }));
}

export function matchRoute<C>(routes: CompiledRoute<C>[], path: string): { route: CompiledRoute<C>; params: Record<string, string> } | null {
  for (const route of routes) {
    const m = route.regex.exec(path);
    if (m) return { route, params: { ...(m.groups ?? {}) } };
  }
  return null;
}
