// Status feed protocol 2 (lib/types/replication-feed.ts): the patch between
// two snapshots, and applying it. One file for both directions, so the server
// that diffs and the console that applies cannot drift apart. Pure; relative
// imports only (the server imports it too).
import type { ReplicationModeStatus, ReplicationPeer } from './types/replication';
import {
  FEED_SECTIONS,
  type FeedChange,
  type FeedHaNode,
  type FeedModePatch,
  type FeedPatchChange,
  type FeedRowPatch,
  type FeedRowsPatch,
  type FeedSnapshot,
} from './types/replication-feed';

type Obj = Record<string, unknown>;
const ROW_LISTS = ['secondaries', 'primaries'] as const;

/** JSON with sorted keys: equal values compare equal whatever their key order. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

const same = (a: unknown, b: unknown) => a === b || stableJson(a) === stableJson(b);

/** Fields that differ; an absent or undefined field counts as unset (JSON has no undefined). */
function diffFields(prevObj: object, nextObj: object, skip: readonly string[] = []): { set?: Obj; unset?: string[] } {
  const prev = prevObj as Obj;
  const next = nextObj as Obj;
  const set: Obj = {};
  const unset: string[] = [];
  for (const [k, v] of Object.entries(next)) if (!skip.includes(k) && v !== undefined && !same(prev[k], v)) set[k] = v;
  for (const [k, v] of Object.entries(prev)) if (!skip.includes(k) && v !== undefined && next[k] === undefined) unset.push(k);
  return { ...(Object.keys(set).length ? { set } : {}), ...(unset.length ? { unset } : {}) };
}

function applyFields<T extends object>(prev: T, p: { set?: object; unset?: readonly string[] }): T {
  const out = { ...prev, ...(p.set ?? {}) } as Obj;
  for (const k of p.unset ?? []) delete out[k];
  return out as T;
}

type Row = { node_id?: string };

/** Row patches need a unique node_id per row; anything else is sent whole. */
function keyed<R extends Row>(rows: R[] | null | undefined): rows is R[] {
  if (!Array.isArray(rows)) return false;
  const ids = new Set<string>();
  for (const r of rows) {
    if (!r || typeof r !== 'object' || typeof r.node_id !== 'string' || ids.has(r.node_id)) return false;
    ids.add(r.node_id);
  }
  return true;
}

function diffRows<R extends Row>(prev: R[], next: R[]): FeedRowsPatch<R> | null {
  const before = new Map(prev.map((r) => [r.node_id!, r]));
  const rows: Record<string, FeedRowPatch<R>> = {};
  for (const r of next) {
    const old = before.get(r.node_id!);
    const d = diffFields(old ?? { node_id: r.node_id }, r) as FeedRowPatch<R>;
    if (!old) rows[r.node_id!] = { set: r };
    else if (d.set || d.unset) rows[r.node_id!] = d;
  }
  const sameOrder = prev.length === next.length && prev.every((r, i) => r.node_id === next[i].node_id);
  if (sameOrder && Object.keys(rows).length === 0) return null;
  return { ...(sameOrder ? {} : { ids: next.map((r) => r.node_id!) }), ...(Object.keys(rows).length ? { rows } : {}) };
}

function applyRows<R extends Row>(prev: R[] | null | undefined, p: FeedRowsPatch<R>): R[] {
  const base = prev ?? [];
  const byId = new Map(base.map((r) => [r.node_id!, r]));
  const order = p.ids ?? base.map((r) => r.node_id!);
  return order.map((id) => {
    const change = p.rows?.[id];
    const old = byId.get(id) ?? ({} as R);
    return change ? applyFields(old, change as { set?: object; unset?: readonly string[] }) : old;
  });
}

/** `next` as `prev` with `drop` items gone from the front and `push` added at the end, if it is that (with some overlap). */
function slideOf(prev: unknown[], next: unknown[]): { drop: number; push: unknown[] } | null {
  if (prev.length === 0 || next.length === 0) return null;
  const a = prev.map(stableJson);
  const b = next.map(stableJson);
  for (let drop = 0; drop < a.length; drop++) {
    const keep = a.length - drop;
    if (keep > b.length) continue;
    let ok = true;
    for (let i = 0; ok && i < keep; i++) ok = a[drop + i] === b[i];
    if (ok) return { drop, push: next.slice(keep) };
  }
  return null;
}

export function diffMode(prev: ReplicationModeStatus, next: ReplicationModeStatus): FeedModePatch | null {
  const rowLists = ROW_LISTS.filter((k) => keyed(prev[k]) && keyed(next[k]));
  const out: FeedModePatch = diffFields(prev, next, rowLists) as FeedModePatch;
  for (const [k, v] of Object.entries(out.set ?? {})) {
    const old = (prev as unknown as Obj)[k];
    const slide = Array.isArray(old) && Array.isArray(v) ? slideOf(old, v) : null;
    if (!slide) continue;
    (out.slide ??= {})[k as keyof ReplicationModeStatus] = slide;
    delete (out.set as Record<string, unknown>)[k];
  }
  if (out.set && Object.keys(out.set).length === 0) delete out.set;
  for (const k of rowLists) {
    const d = diffRows(prev[k]!, next[k]!);
    if (d) out[k] = d;
  }
  return Object.keys(out).length ? out : null;
}

export function applyMode(prev: ReplicationModeStatus, p: FeedModePatch): ReplicationModeStatus {
  const out = applyFields(prev, p);
  for (const [k, { drop, push }] of Object.entries(p.slide ?? {}) as [string, { drop: number; push: unknown[] }][]) {
    const old = (prev as unknown as Obj)[k];
    (out as unknown as Obj)[k] = [...(Array.isArray(old) ? old.slice(drop) : []), ...push];
  }
  for (const k of ROW_LISTS) {
    const rows = p[k];
    if (rows) out[k] = applyRows(prev[k], rows);
  }
  return out;
}

/** One section of a snapshot, whole (what a protocol 1 delta carries). */
export function whole(s: FeedSnapshot, path: (typeof FEED_SECTIONS)[number]): FeedChange {
  switch (path) {
    case 'cluster':
      return { path, value: s.cluster };
    case 'health':
      return { path, value: s.health };
    case 'seal':
      return { path, value: s.seal };
    case 'replication.dr':
      return { path, value: s.replication.dr };
    case 'replication.performance':
      return { path, value: s.replication.performance };
    case 'ha':
      return { path, value: s.ha ?? null };
  }
}

/** The HA nodes as row patches while both sides are keyed lists of rows; else (null ↔ list) the section whole. */
function diffHa(prev: FeedHaNode[] | null | undefined, next: FeedHaNode[] | null | undefined): FeedPatchChange | null {
  if (keyed(prev) && keyed(next)) {
    const rows = diffRows(prev, next);
    return rows ? { path: 'ha', rows } : null;
  }
  return same(prev ?? null, next ?? null) ? null : { path: 'ha', value: next ?? null };
}

/** What changed from `prev` to `next`: small sections whole, replication sections as field and row patches. */
export function diffSnapshot(prev: FeedSnapshot, next: FeedSnapshot): FeedPatchChange[] {
  const out: FeedPatchChange[] = [];
  for (const path of FEED_SECTIONS) {
    if (path === 'replication.dr' || path === 'replication.performance') {
      const kind = path === 'replication.dr' ? 'dr' : 'performance';
      const patch = diffMode(prev.replication[kind], next.replication[kind]);
      if (patch) out.push({ path, patch });
    } else if (path === 'ha') {
      const change = diffHa(prev.ha, next.ha);
      if (change) out.push(change);
    } else {
      const change = whole(next, path);
      if (!same(whole(prev, path).value, change.value)) out.push(change);
    }
  }
  return out;
}

/** `prev` with `changes` applied; `prev` is not modified. */
export function applyPatchChanges(prev: FeedSnapshot, changes: FeedPatchChange[]): FeedSnapshot {
  const next: FeedSnapshot = { ...prev, replication: { ...prev.replication } };
  for (const c of changes) {
    if ('rows' in c) {
      next.ha = applyRows(next.ha, c.rows);
      continue;
    }
    if ('patch' in c) {
      const kind = c.path === 'replication.dr' ? 'dr' : 'performance';
      next.replication[kind] = applyMode(next.replication[kind], c.patch);
      continue;
    }
    switch (c.path) {
      case 'cluster':
        next.cluster = c.value;
        break;
      case 'health':
        next.health = c.value;
        break;
      case 'seal':
        next.seal = c.value;
        break;
      case 'replication.dr':
        next.replication.dr = c.value;
        break;
      case 'replication.performance':
        next.replication.performance = c.value;
        break;
      case 'ha':
        next.ha = c.value;
        break;
    }
  }
  return next;
}
