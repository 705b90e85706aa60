import type { Barrier } from '../barrier/barrier';
import type { Request, Response } from '../core/request';
import { badRequest } from '../errors';
import type { Logger } from '../log';
import { openDevice, DEVICE_TYPES, type AuditDevice } from './device';
import { formatEntry, type AuditInput } from './entry';
import { hashString, newSalt } from './salt';
import { addAuditEntry, AUDIT_TABLE, LOCAL_AUDIT_TABLE, normalizeAuditPath, readAuditTable, removeAuditEntry, type AuditEntry } from './table';
import { newUuid } from '../core/ids';

// The audit broker (vault/audit_broker.go): every enabled device gets one
// request entry before the handler runs and one response entry after it.
// Blocking as in Vault: with devices enabled, an entry that no device could
// write fails the request with a 500 — before the handler, nothing happens.

/** Served by Vault's HTTP layer outside the request pipeline, so never audited. */
const UNAUDITED_PATHS = new Set(['sys/init', 'sys/seal-status', 'sys/unseal', 'sys/health', 'sys/leader']);

/**
 * No device wrote the entry. Not a VaultError: the edge answers it as any
 * internal error, with Vault's 500 "internal error", and logs the cause.
 */
export class AuditFailure extends Error {
  constructor(type: 'request' | 'response') {
    super(`no audit backend succeeded in logging the ${type}`);
    this.name = 'AuditFailure';
  }
}

export interface AuditBrokerOptions {
  logger: Logger;
  /** The mount a request path routes to, with its audit_non_hmac_* keys. */
  mountFor: (path: string) => AuditInput['mount'];
}

export class AuditBroker {
  private devices = new Map<string, AuditDevice>(); // by uuid
  /** Requests whose request entry was written: they get a response entry. */
  private readonly audited = new WeakSet<Request>();
  private generation = 0;

  constructor(
    private readonly barrier: Barrier,
    private readonly opts: AuditBrokerOptions,
  ) {
    // The device set follows its stored tables, whoever wrote them (this node or replication).
    barrier.physical.changes.subscribe([AUDIT_TABLE, LOCAL_AUDIT_TABLE], () => {
      if (!barrier.sealed) void this.load();
    });
  }

  /** The table as stored: a device this node could not open is still listed. */
  entries(): AuditEntry[] {
    return readAuditTable(this.barrier);
  }

  /** Open the stored devices (at unseal, or after a replicated change); close removed ones. */
  async load(): Promise<void> {
    const gen = ++this.generation;
    const wanted = readAuditTable(this.barrier);
    const keep = new Set(wanted.map((e) => e.uuid));
    for (const [uuid, d] of this.devices) {
      if (keep.has(uuid)) continue;
      d.sink.close();
      this.devices.delete(uuid);
    }
    for (const entry of wanted) {
      if (this.devices.has(entry.uuid)) continue;
      try {
        const device = await openDevice(entry, false);
        if (gen !== this.generation || this.devices.has(entry.uuid)) device.sink.close();
        else this.devices.set(entry.uuid, device);
      } catch (err) {
        // As Vault's setupAudits: a device this node cannot open is logged and skipped.
        this.opts.logger.error({ err, path: entry.path, type: entry.type }, 'failed to open audit device');
      }
    }
  }

  close(): void {
    this.generation++;
    for (const d of this.devices.values()) d.sink.close();
    this.devices.clear();
  }

  /** SIGHUP: file devices let go of their file and open the path again (logrotate). */
  reopen(): void {
    for (const d of this.devices.values()) d.sink.reopen();
  }

  async enable(input: { path: string; type: string; description: string; options: Record<string, string>; local: boolean }): Promise<void> {
    const path = normalizeAuditPath(input.path);
    if (!input.type) throw badRequest("'type' must be specified");
    if (!(DEVICE_TYPES as readonly string[]).includes(input.type)) throw badRequest(`unknown backend type: "${input.type}"`);
    if (readAuditTable(this.barrier).some((e) => e.path === path)) throw badRequest(`path already in use`);
    const entry: AuditEntry = { path, type: input.type, description: input.description, options: input.options, local: input.local, uuid: newUuid(), salt: newSalt() };
    const device = await openDevice(entry, true);
    this.devices.set(entry.uuid, device);
    try {
      addAuditEntry(this.barrier, entry);
    } catch (err) {
      // e.g. a performance secondary: storage refuses, core forwards the request to the primary.
      this.devices.delete(entry.uuid);
      device.sink.close();
      throw err;
    }
  }

  /** Vault answers 204 whether or not a device was there. */
  disable(rawPath: string): void {
    const path = normalizeAuditPath(rawPath);
    const entry = readAuditTable(this.barrier).find((e) => e.path === path);
    if (!entry) return;
    removeAuditEntry(this.barrier, entry);
    this.devices.get(entry.uuid)?.sink.close();
    this.devices.delete(entry.uuid);
  }

  /** sys/audit-hash: the HMAC this device writes for `input`. */
  hash(rawPath: string, input: string): string {
    const path = normalizeAuditPath(rawPath);
    const entry = readAuditTable(this.barrier).find((e) => e.path === path);
    if (!entry) throw badRequest(`unknown audit backend ${path}`);
    return hashString(entry.salt, input);
  }

  /** Whether any device is enabled: without one, the request path skips the audit calls (and their awaits) entirely. */
  get enabled(): boolean {
    return this.devices.size > 0;
  }

  /** Before the handler: throws (a 500) when devices are enabled and none wrote the entry. */
  async logRequest(req: Request, error?: string): Promise<void> {
    if (!this.devices.size || UNAUDITED_PATHS.has(req.path) || this.audited.has(req)) return;
    await this.broadcast('request', { req, mount: this.opts.mountFor(req.path), error });
    this.audited.add(req);
  }

  /**
   * After the handler (or its failure). A request that failed before its
   * request entry (an unknown token) gets a request entry with the error.
   */
  async logResponse(req: Request, res: Response | undefined, error?: unknown): Promise<void> {
    if (!this.devices.size || UNAUDITED_PATHS.has(req.path) || error instanceof AuditFailure) return;
    const message = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    if (!this.audited.has(req)) return error === undefined ? undefined : this.logRequest(req, message);
    await this.broadcast('response', { req, res, mount: this.opts.mountFor(req.path), error: message });
  }

  private async broadcast(type: 'request' | 'response', input: AuditInput): Promise<void> {
    const devices = [...this.devices.values()];
    if (!devices.length) return;
    const now = new Date();
    const results = await Promise.allSettled(devices.map((d) => d.sink.write(d.prefix + JSON.stringify(formatEntry(type, input, d.format, now)) + '\n')));
    let ok = 0;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') ok++;
      else this.opts.logger.error({ err: r.reason, path: devices[i].entry.path }, `audit device failed to log the ${type}`);
    });
    if (ok === 0) {
      this.opts.logger.error({ path: input.req.path }, `failed to audit ${type}`);
      throw new AuditFailure(type);
    }
  }
}
