import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { openConnection, within } from '../support/raw-http';
import { converged, enablePrimary, pair } from '../support/replication';

// Issue 7 item 12: the cluster port (mutual TLS, replication and forwarding)
// must not let unauthenticated peers hold connections. Node's TLS
// handshakeTimeout only reports a timeout and leaves the socket open; the
// listener now closes it, and caps the connections still in the handshake.
const HANDSHAKE_TIMEOUT_MS = 10_000; // SERVER_HANDSHAKE_TIMEOUT_MS
const MAX_PENDING = 64; // MAX_PENDING_HANDSHAKES

let primary: DevServer;
let secondary: DevServer;
let clusterPort: number;

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
  await enablePrimary(primary.addr, primary.rootToken, 'dr');
  clusterPort = primary.port + 1;
}, 60_000);
afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('cluster port', () => {
  // One wait for the handshake timeout serves both claims (it is not
  // configurable): the first held connection is the idle one.
  it(`an idle TCP connection that never starts the TLS handshake is closed after the handshake timeout; the connection after ${MAX_PENDING} unauthenticated ones is closed at once; they all go at the handshake timeout`, async () => {
    const held = [];
    for (let i = 0; i < MAX_PENDING; i++) held.push(await openConnection(clusterPort));
    const extra = await openConnection(clusterPort);
    const extraAfter = await within(extra.closedAfter, HANDSHAKE_TIMEOUT_MS * 3, 'connection over the cap closed');
    // Closed by the cap, not by the handshake timeout: while the others still stand.
    const stillOpen = held.filter((c) => !c.socket.destroyed && c.socket.readyState === 'open').length;
    expect(stillOpen, `closed after ${extraAfter} ms`).toBeGreaterThan(0);
    const idleAfter = await within(held[0].closedAfter, HANDSHAKE_TIMEOUT_MS * 3, 'idle cluster connection closed');
    expect(idleAfter).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 100);
    await within(Promise.all(held.map((c) => c.closedAfter)), HANDSHAKE_TIMEOUT_MS * 3, 'held connections closed by the handshake timeout');
  }, 90_000);

  it('legitimate replication still works, and the API kept answering', async () => {
    await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, 'dr', 'sec-after-flood');
    await api(primary.addr, 'POST', 'secret/data/after-flood', { token: primary.rootToken, body: { data: { ok: true } } });
    await converged(primary.addr, secondary.addr, 'dr');
    expect((await api(primary.addr, 'GET', 'sys/health')).status).toBe(200);
  }, 90_000);
});
