// Read-your-writes on a secondary: a request forwarded to the primary waits
// here until the record its write reached has been applied locally.
export class IndexWaiters {
  private readonly waiters: { index: number; resolve: () => void }[] = [];

  /** Resolves true once `release` reached `index` (at once if `covered` does), false after timeoutMs. */
  wait(index: number, covered: number, timeoutMs: number): Promise<boolean> {
    if (covered >= index) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { index, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Resolve the waiters for indexes up to `index`. */
  release(index: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].index <= index) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}
