import type { WorkerReply, WorkerRequest } from '../protocol.js';

/**
 * The page's side of the Web Worker that reads files and runs the transform, so the
 * page stays responsive. One job runs at a time; `cancel` ends the worker and its job.
 */
export class WorkerClient {
  private worker: Worker | undefined;

  constructor(private readonly onReply: (reply: WorkerReply) => void) {}

  send(request: WorkerRequest): void {
    this.worker ??= this.startWorker();
    this.worker.postMessage(request);
  }

  /** Ends the running job; whatever it produced is dropped with the worker. */
  cancel(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private startWorker(): Worker {
    const worker = new Worker(new URL('../worker.ts', import.meta.url), { type: 'module', name: 'geomask' });
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.onReply(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.onReply({ type: 'error', message: `the worker failed: ${event.message || 'it could not be loaded'}` });
    };
    return worker;
  }
}
