import { badRequest } from '../errors';
import type { AuditEntry } from './table';
import type { FormatOptions } from './entry';
import { fileSink } from './file-sink';
import type { AuditSink } from './sink';
import { socketSink } from './socket-sink';
import { syslogSink } from './syslog-sink';

// An enabled audit device: its sink plus the options every device type
// shares (vault audit/options.go): log_raw, hmac_accessor, elide_list_responses, prefix, format.
export const DEVICE_TYPES = ['file', 'socket', 'syslog'] as const;

export interface AuditDevice {
  entry: AuditEntry;
  sink: AuditSink;
  format: FormatOptions;
  prefix: string;
}

function boolOption(options: Record<string, string>, key: string, fallback: boolean): boolean {
  const v = options[key];
  if (v === undefined || v === '') return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw badRequest(`unable to parse '${key}': "${v}" is not a boolean`);
}

/** Open a device from its table entry. `check`: connect now and refuse a dead destination (at enable). */
export async function openDevice(entry: AuditEntry, check: boolean): Promise<AuditDevice> {
  const o = entry.options;
  const format = o.format || 'json';
  if (format !== 'json') throw badRequest(`unsupported 'format': "${format}" (only json is supported)`);
  const opts: FormatOptions = {
    salt: entry.salt,
    logRaw: boolOption(o, 'log_raw', false),
    hmacAccessor: boolOption(o, 'hmac_accessor', true),
    elideListResponses: boolOption(o, 'elide_list_responses', false),
  };
  let sink: AuditSink;
  if (entry.type === 'file') sink = fileSink(o);
  else if (entry.type === 'socket') sink = await socketSink(o, check);
  else if (entry.type === 'syslog') sink = syslogSink(o);
  else throw badRequest(`unknown backend type: "${entry.type}"`);
  return { entry, sink, format: opts, prefix: o.prefix ?? '' };
}
