import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Issue 7 item 2: auth methods never mint root. Whoever can write a user
// record can put anything in it; the core refuses, at the one place logins
// become tokens, any login whose policies resolve to root — with Vault's
// error — and mints nothing.
let server: DevServer;
let userAdmin = '';
const root = () => server.rootToken;

async function accessors(): Promise<string[]> {
  const r = await api(server.addr, 'GET', 'auth/token/accessors?list=true', { token: root() });
  expect(r.status).toBe(200);
  return [...r.body.data.keys].sort();
}

const login = (user: string) => api(server.addr, 'POST', `auth/userpass/login/${user}`, { body: { password: 'pw-' + user } });

beforeAll(async () => {
  server = await startDevServer();
  expect((await api(server.addr, 'POST', 'sys/auth/userpass', { token: root(), body: { type: 'userpass' } })).status).toBe(204);
  const policy = 'path "auth/userpass/users/*" { capabilities = ["create", "read", "update", "delete", "list"] }';
  expect((await api(server.addr, 'PUT', 'sys/policies/acl/user-admin', { token: root(), body: { policy } })).status).toBe(204);
  userAdmin = (await api(server.addr, 'POST', 'auth/token/create', { token: root(), body: { policies: ['user-admin'] } })).body.auth.client_token;
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('logins never mint root', () => {
  it('a user admin limited to auth/userpass/users/* cannot log in as root by giving a user token_policies=root', async () => {
    const variants: Record<string, Record<string, unknown>> = {
      plain: { token_policies: 'root' },
      shouted: { token_policies: 'ROOT' },
      padded: { token_policies: [' root '] },
      mixed: { token_policies: 'default,root,dev' },
      legacy: { policies: 'root' },
    };
    for (const [name, fields] of Object.entries(variants)) {
      const user = `mallory-${name}`;
      const written = await api(server.addr, 'POST', `auth/userpass/users/${user}`, { token: userAdmin, body: { password: 'pw-' + user, ...fields } });
      expect(written.status).toBe(204);
      const before = await accessors();
      const r = await login(user);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body).toEqual({ errors: ['auth methods cannot create root tokens'] });
      expect(await accessors()).toEqual(before); // no token minted
    }
  });

  it('a login cannot be handed an internal policy (response-wrapping) either', async () => {
    await api(server.addr, 'POST', 'auth/userpass/users/wrapper', { token: userAdmin, body: { password: 'pw-wrapper', token_policies: 'response-wrapping' } });
    const before = await accessors();
    const r = await login('wrapper');
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual(['cannot assign policy "response-wrapping"']);
    expect(await accessors()).toEqual(before);
  });

  it('an ordinary user still logs in with the policies of the record', async () => {
    await api(server.addr, 'POST', 'auth/userpass/users/alice', { token: userAdmin, body: { password: 'pw-alice', token_policies: 'Dev, ops' } });
    const r = await login('alice');
    expect(r.status).toBe(200);
    expect(r.body.auth.policies).toEqual(['default', 'dev', 'ops']);
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: r.body.auth.client_token });
    expect(self.body.data.policies).not.toContain('root');
  });
});
