// Bounded concurrency: at most `maxActive` tasks run, at most `maxQueue` wait in FIFO order, and a caller learns at
// once when the queue is full (the HTTP server answers 429 then). Used by the OpenAI client and `medtune serve`.

/** A counting semaphore with a bounded FIFO queue. */
export class Limiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly maxActive: number, readonly maxQueue = Number.POSITIVE_INFINITY) {
    if (!(Number.isInteger(maxActive) && maxActive >= 1)) throw new RangeError(`maxActive must be an integer >= 1, got ${maxActive}`);
    if (!(maxQueue >= 0)) throw new RangeError(`maxQueue must be >= 0, got ${maxQueue}`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for a slot and returns its release function, or returns null at once when the queue is full. */
  tryAcquire(): Promise<() => void> | null {
    if (this.running < this.maxActive) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueue) return null;
    return new Promise((resolve) => this.queue.push(() => resolve(this.releaser())));
  }

  /** Runs `fn` in a slot (waiting as long as needed; the queue bound does not apply). */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await (this.running < this.maxActive ? this.tryAcquire()! : new Promise<() => void>((resolve) => this.queue.push(() => resolve(this.releaser()))));
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    };
  }
}
