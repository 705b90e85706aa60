import { describe, expect, it } from 'vitest';
import { AUTH_METHODS, SECRET_ENGINES } from './factories';
import { CubbyholeBackend } from './cubbyhole';
import { KvV1Backend } from './kv/v1';
import { KvV2Backend } from './kv/v2';
import { UserpassBackend } from '../auth/userpass';
import { testStorage } from './kv/test-storage';

const mount = (options: Record<string, string>) => ({ storage: testStorage().view, options, mountPath: 'secret/' });

describe('backend factories', () => {
  it('kv is version 1 unless the mount option says 2', () => {
    expect(SECRET_ENGINES.kv(mount({}))).toBeInstanceOf(KvV1Backend);
    expect(SECRET_ENGINES.kv(mount({ version: '1' }))).toBeInstanceOf(KvV1Backend);
    expect(SECRET_ENGINES.kv(mount({ version: '2' }))).toBeInstanceOf(KvV2Backend);
    expect(() => SECRET_ENGINES.kv(mount({ version: '3' }))).toThrow(/version/);
  });

  it('registers cubbyhole and userpass', () => {
    expect(SECRET_ENGINES.cubbyhole(mount({}))).toBeInstanceOf(CubbyholeBackend);
    expect(AUTH_METHODS.userpass(mount({}))).toBeInstanceOf(UserpassBackend);
  });
});
