import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';

// Issue 7 item 13: the live status feed (a WebSocket, so no CORS) must not be a
// token-validity oracle for foreign pages, must not take tokens in the URL, and
// must not let one client hold unbounded subscriptions or make it buffer input.
const FEED = '/v1/sys/replication/status/feed';

interface Outcome {
  /** The first message's type, if one came. */
  first?: string;
  code?: number;
  reason?: string;
  protocol?: string;
}

function subscribe(port: number, opts: { token?: string; origin?: string; query?: string; send?: string } = {}): Promise<Outcome> {
  const protocols = opts.token ? ['coffer.feed.v1', 'coffer.token.' + Buffer.from(opts.token).toString('base64url')] : [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${FEED}${opts.query ?? ''}`, protocols, opts.origin ? { origin: opts.origin } : {});
  return new Promise((resolve) => {
    const out: Outcome = {};
    ws.on('error', () => {});
    ws.on('open', () => {
      out.protocol = ws.protocol;
      if (opts.send) ws.send(opts.send);
    });
    ws.on('message', (data) => {
      out.first ??= JSON.parse(String(data)).type;
      if (!opts.send) ws.close();
    });
    ws.on('close', (code, reason) => resolve({ ...out, code, reason: String(reason) }));
  });
}

function hold(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${FEED}`);
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws));
    ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
  });
}

let dev: DevServer;
let configured: ConfiguredServer;
let configuredRoot: string;

beforeAll(async () => {
  [dev, configured] = await Promise.all([
    startDevServer(),
    startConfiguredServer({ name: 'feed', listenerExtra: '  status_feed_allowed_origins = ["https://noc.example.com"]' }),
  ]);
  const init = await api(configured.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  configuredRoot = init.body.root_token;
  await api(configured.addr, 'PUT', 'sys/unseal', { body: { key: init.body.keys_base64[0] } });
}, 60_000);
afterAll(async () => {
  await Promise.all([dev?.stop(), configured?.stop()]);
});

describe('status feed', () => {
  it('a token in the URL query is ignored: a bad one is no 4401, a good one authenticates nothing', async () => {
    const bad = await subscribe(dev.port, { query: '?token=hvs.not-a-token', origin: 'https://evil.example' });
    expect(bad).toMatchObject({ first: 'init', code: 1005 });
    const good = await subscribe(dev.port, { query: `?token=${dev.rootToken}`, origin: 'https://evil.example' });
    expect(good).toMatchObject({ first: 'init' });
  });

  it('a foreign Origin sending a token is refused with 4403 whether the token is valid or not (no validity oracle)', async () => {
    for (const token of [dev.rootToken, 'hvs.not-a-token']) {
      const r = await subscribe(dev.port, { token, origin: 'https://evil.example' });
      expect(r, token === dev.rootToken ? 'valid token' : 'invalid token').toEqual({ code: 4403, reason: 'origin not allowed', protocol: 'coffer.feed.v1' });
    }
  });

  it('the API’s own origin may subscribe with a token; a bad token from it gets 4401; the token is never echoed', async () => {
    const own = `http://127.0.0.1:${dev.port}`;
    expect(await subscribe(dev.port, { token: dev.rootToken, origin: own })).toMatchObject({ first: 'init', protocol: 'coffer.feed.v1' });
    expect(await subscribe(dev.port, { token: 'hvs.not-a-token', origin: own })).toMatchObject({ code: 4401, reason: 'permission denied' });
  });

  it('an origin listed in status_feed_allowed_origins may subscribe with a token; others may not', async () => {
    expect(await subscribe(configured.port, { token: configuredRoot, origin: 'https://noc.example.com' })).toMatchObject({ first: 'init' });
    expect(await subscribe(configured.port, { token: configuredRoot, origin: 'https://noc.example.org' })).toMatchObject({ code: 4403 });
  });

  it('anonymous subscriptions (the status wall on another cluster) work from any origin', async () => {
    expect(await subscribe(dev.port, { origin: 'http://other-cluster:8300' })).toMatchObject({ first: 'init' });
  });

  it('an oversized client frame closes the connection (1009)', async () => {
    const r = await subscribe(dev.port, { send: 'x'.repeat(64 * 1024) });
    expect(r.code).toBe(1009);
  });

  it('one client address holds at most 32 subscriptions; the next is closed with 1013', async () => {
    const held: WebSocket[] = [];
    try {
      for (let i = 0; i < 32; i++) held.push(await hold(dev.port));
      const over = await subscribe(dev.port);
      expect(over).toMatchObject({ code: 1013, reason: 'too many status feed subscriptions from this address' });
      expect(over.first).toBeUndefined();
    } finally {
      for (const ws of held) ws.terminate();
    }
    // Slots come back once they close.
    const deadline = Date.now() + 10_000;
    let again: Outcome = {};
    while (Date.now() < deadline && again.first !== 'init') again = await subscribe(dev.port);
    expect(again.first).toBe('init');
  });
});
