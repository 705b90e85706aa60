// Where an audit device's lines go. write() rejects when the line could not
// be handed to the destination; the broker turns "no device could" into a
// failed request (Vault's blocking audit).
export interface AuditSink {
  write(line: string): Promise<void>;
  /** SIGHUP: let go of the destination and open it again on the next write (logrotate). */
  reopen(): void;
  close(): void;
}

/** Options as Vault passes them: a string map. */
export type DeviceOptions = Record<string, string>;
