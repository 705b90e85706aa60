import pino from 'pino';

// One root logger; components take a child with bound fields. Redaction is a
// second line of defence: code must never log tokens, keys or secret values.
export type Logger = pino.Logger;

export const REDACT_PATHS = ['token', 'client_token', 'key', 'keys', 'password', 'otp', 'root_token', '*.token', '*.password', '*.key', 'headers["x-vault-token"]'];

export function createLogger(opts: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    { level: opts.level, name: opts.name, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } },
    opts.destination,
  );
}
