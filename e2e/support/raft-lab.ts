// A real 3-node HA cluster for the Raft Storage spec: `coffer lab -nodes=3
// -clusters=dallas` on a free block of loopback ports (dallas-1, dallas-2,
// dallas-3, each a `coffer server` with storage "raft" and its own etcd
// member), initialised and unsealed by the lab with a random root token, its
// console served from the built .next (tests/support/lab.ts starts and stops it).
import { randomBytes } from 'node:crypto';
import { startLab } from '../../tests/support/lab';

const NODE_OFFSETS = [0, 10, 20];
const STOP_TIMEOUT_MS = 30_000;

export interface RaftLab {
  rootToken: string;
  /** dallas-1 … dallas-3 → http://127.0.0.1:<port> */
  nodes: { name: string; url: string }[];
  logs(): string;
  stop(): Promise<void>;
}

export async function startRaftLab(): Promise<RaftLab> {
  const rootToken = `root-${randomBytes(8).toString('hex')}`;
  const lab = await startLab(['-nodes=3', '-clusters=dallas', `-root-token=${rootToken}`], NODE_OFFSETS, {
    ui: true,
    env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  return {
    rootToken,
    nodes: NODE_OFFSETS.map((o, i) => ({ name: `dallas-${i + 1}`, url: lab.addr(o) })),
    logs: lab.output,
    stop: () => lab.stop(STOP_TIMEOUT_MS),
  };
}
