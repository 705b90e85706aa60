import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabControl, type LabControlServer } from './lab-control';

// The lab's control endpoint over a real loopback listener: only the bearer
// token opens it, and nothing a caller sends can take the lab process down
// (it supervises every cluster: if it died, they would be orphaned).
let ctl: LabControlServer;
const stopped: string[] = [];

beforeAll(async () => {
  ctl = await startLabControl({
    list: () => [{ name: 'dallas', addr: 'http://127.0.0.1:8200', running: true }],
    stop: async (name) => void stopped.push(name),
    start: async () => undefined,
  });
});

afterAll(async () => {
  await ctl?.close();
});

const call = (path: string, token = ctl.token, method = 'POST') => fetch(`${ctl.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });

describe('lab control endpoint', () => {
  it('refuses a missing or wrong bearer token before doing anything', async () => {
    expect((await fetch(`${ctl.url}/clusters/dallas/stop`, { method: 'POST' })).status).toBe(401);
    expect((await call('/clusters/dallas/stop', 'x'.repeat(ctl.token.length))).status).toBe(401);
    expect(stopped).toEqual([]);
  });

  it('a malformed %-escape in a cluster name is answered 400, and the lab keeps serving', async () => {
    const r = await call('/clusters/%E0%A4%A/stop');
    expect(r.status).toBe(400);
    expect((await call('/clusters', ctl.token, 'GET')).status).toBe(200);
    expect((await call('/clusters/dallas/stop')).status).toBe(204);
    expect(stopped).toEqual(['dallas']);
  });
});
