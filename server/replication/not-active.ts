import type { FrameQueue } from './frame-queue';
import type { FrameOf } from './frames';
import type { FrameConnection } from './transport';

// A standby of the primary's HA cluster holds the same replication state as
// the active (it comes through the HA log) but does not stream: a secondary
// that dials it hears "not active, the active is X" and goes there directly
// (primary-dial-plan.ts), instead of waiting out a timeout.

/** How long the standby waits for the secondary's hello before answering anyway. */
const HELLO_WAIT_MS = 5_000;

/** The node the secondary reached is a standby of the primary's cluster. */
export class NotActiveError extends Error {
  constructor(
    readonly dialed: string,
    readonly activeClusterAddr: string,
    readonly clusterAddrs: string[],
  ) {
    super(`primary node ${dialed} is not active; ${activeClusterAddr ? `the active is ${activeClusterAddr}` : 'no node is active right now'}`);
    this.name = 'NotActiveError';
  }
}

/** The secondary's side: the answer to its hello, a hello-ack, or NotActiveError from a standby. */
export async function helloAnswer(q: FrameQueue, dialed: string, timeoutMs: number): Promise<FrameOf<'hello-ack'>> {
  const f = await q.next(timeoutMs);
  if (f.type === 'not-active') throw new NotActiveError(dialed, f.activeClusterAddr, f.clusterAddrs);
  if (f.type === 'hello-ack') return f;
  if (f.type === 'refused') throw new Error(`refused by primary: ${f.reason}`);
  if (f.type === 'error') throw new Error(`primary error: ${f.message}`);
  throw new Error(`expected hello-ack frame, got ${f.type}`);
}

/** The standby's side: read the hello (so the secondary's send lands), name the active, hang up. */
export async function answerNotActive(conn: FrameConnection, q: FrameQueue, activeClusterAddr: string, clusterAddrs: string[]): Promise<void> {
  try {
    await q.next(HELLO_WAIT_MS).catch(() => undefined);
    await conn.send({ type: 'not-active', activeClusterAddr, clusterAddrs });
    await conn.close();
  } catch {
    // the secondary hung up first: it dials another node anyway
  } finally {
    conn.destroy();
  }
}
