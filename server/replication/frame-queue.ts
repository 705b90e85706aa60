import type { Frame, FrameOf, FrameType } from './frames';
import type { FrameConnection } from './transport';

// Turns a connection's frame callbacks into awaitable reads, so each role can
// be written as a straight-line protocol: `await q.expect('hello-ack')`.
export class FrameQueue {
  private readonly frames: Frame[] = [];
  private waiter: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private closedWith: Error | null = null;
  /** Frames handled out of band as they arrive (heartbeats), never queued. */
  private readonly side = new Map<FrameType, (f: Frame) => void>();

  /** `peer` names the other side in errors ("refused by primary: …"). */
  constructor(
    conn: FrameConnection,
    private readonly peer: 'primary' | 'secondary' | 'peer' = 'primary',
  ) {
    conn.onFrame((f) => {
      const handler = this.side.get(f.type);
      if (handler) return handler(f);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(f);
      } else this.frames.push(f);
    });
    conn.onClose((err) => {
      this.closedWith = err ?? new Error('connection closed');
      this.waiter?.reject(this.closedWith);
      this.waiter = null;
    });
  }

  onSide<T extends FrameType>(type: T, handler: (f: FrameOf<T>) => void): void {
    this.side.set(type, handler as (f: Frame) => void);
  }

  next(timeoutMs = 0): Promise<Frame> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs) timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (fr) => (clearTimeout(timer), resolve(fr)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  /** Frames of `type` that have already arrived, from the head of the queue on (no waiting), at most `max`. */
  takeQueued<T extends FrameType>(type: T, max: number): FrameOf<T>[] {
    const out: FrameOf<T>[] = [];
    while (out.length < max && this.frames[0]?.type === type) out.push(this.frames.shift() as FrameOf<T>);
    return out;
  }

  /** The next frame, which must be of this type (a `refused`/`error` frame becomes an Error). */
  async expect<T extends FrameType>(type: T, timeoutMs = 30_000): Promise<FrameOf<T>> {
    const f = await this.next(timeoutMs);
    if (f.type === type) return f as FrameOf<T>;
    if (f.type === 'refused') throw new Error(`refused by ${this.peer}: ${f.reason}`);
    if (f.type === 'error') throw new Error(`${this.peer} error: ${f.message}`);
    throw new Error(`expected ${type} frame, got ${f.type}`);
  }
}
