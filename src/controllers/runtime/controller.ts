// Runs a reconcile function over a work queue: throw to retry with backoff, return { requeueAfterMs } to wait.
import { log } from '../../cli/log.js';
import { WorkQueue } from './work-queue.js';

export type ReconcileResult = { requeueAfterMs?: number } | void;

export class Controller {
  readonly queue = new WorkQueue();

  constructor(
    readonly name: string,
    private readonly reconcile: (key: string) => Promise<ReconcileResult>,
    private readonly workers = 1,
  ) {}

  run(): void {
    for (let i = 0; i < this.workers; i++) void this.worker();
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const res = await this.reconcile(key);
        this.queue.forget(key);
        if (res !== undefined && res.requeueAfterMs !== undefined) this.queue.addAfter(key, res.requeueAfterMs);
      } catch (e: unknown) {
        log.warn('reconcile failed', { controller: this.name, key, err: e instanceof Error ? e.message : String(e) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
