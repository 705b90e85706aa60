import pino from 'pino';

// One root logger; components take a child with bound fields. Redaction is a
// second line of defence: code must never log tokens, keys or secret values.
export type Logger = pino.Logger;

// Field names that carry a token, key or secret anywhere in Coffer (HTTP
// bodies, replication frames, the activation bundle), top level and one down.
const SECRET_FIELDS = [
  'token',
  'client_token',
  'key',
  'keys',
  'keys_base64',
  'password',
  'otp',
  'root_token',
  'encoded_token',
  'encoded_root_token',
  'dr_operation_token',
  'wrapping_token',
  'secret_id',
  'rootKey',
  'clientKey',
  'keyPem',
  'privateJwk',
  'client_key',
  'jwt',
];
export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), 'headers["x-vault-token"]', 'headers.authorization'];

export function createLogger(opts: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    { level: opts.level, name: opts.name, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } },
    opts.destination,
  );
}
