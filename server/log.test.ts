import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), text: () => lines.join('') };
}

describe('log redaction (second line of defence)', () => {
  it('censors tokens, keys and secrets at the top level and one level down', () => {
    const { logger, text } = capture();
    const secrets = {
      token: 'hvs.TOPTOKEN',
      rootKey: 'ROOTKEYB64',
      dr_operation_token: 'DROPTOKEN',
      jwt: 'eyJ.JWT.SIG',
      headers: { 'x-vault-token': 'hvs.HEADER', authorization: 'Bearer hvs.BEARER' },
      bundle: { clientKey: 'CLIENTKEYPEM', client_key: 'PKCS8' },
      frame: { rootKey: 'NESTEDROOTKEY' },
      data: { password: 'PASSWORD1', secret_id: 'SECRETID' },
    };
    logger.info(secrets, 'with secrets');
    const out = text();
    for (const v of ['TOPTOKEN', 'ROOTKEYB64', 'DROPTOKEN', 'JWT.SIG', 'hvs.HEADER', 'BEARER', 'CLIENTKEYPEM', 'PKCS8', 'NESTEDROOTKEY', 'PASSWORD1', 'SECRETID']) {
      expect(out).not.toContain(v);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('with secrets');
  });
});
