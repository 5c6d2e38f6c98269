// Control-plane components on threads of their own, as upstream runs kube-scheduler (and kwok its fake kubelets) as
// processes of their own: their informers and work then use a core the API server does not, and a burst of theirs
// does not hold up requests. Each reaches the API server through the loopback listener like any other client.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { workerExecArgv } from '../machinery/worker-exec-argv.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';
import type { VirtualNodesOptions } from '../virtual-nodes/virtual-nodes.js';

export type ComponentSpec = { readonly component: 'scheduler'; readonly opts: SchedulerOptions } | { readonly component: 'virtual-nodes'; readonly opts: VirtualNodesOptions };

interface ThreadData {
  readonly config: ClientConfig;
  readonly spec: ComponentSpec;
}

/** Starts a component on a worker thread; stop() ends it. A thread that fails is reported, not restarted. */
export function startComponentThread(config: ClientConfig, spec: ComponentSpec): { stop(): void } {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { config, spec } satisfies ThreadData,
    execArgv: workerExecArgv(process.execArgv),
  });
  worker.unref();
  worker.on('error', (err: Error) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: `${spec.component} thread failed`, err: err.stack ?? err.message })}\n`);
  });
  return {
    stop: () => {
      worker.postMessage('stop');
      void worker.terminate();
    },
  };
}

async function runComponent(data: ThreadData): Promise<{ stop(): void }> {
  const client = new RestClient(data.config);
  switch (data.spec.component) {
    case 'scheduler':
      return (await import('../scheduler/scheduler.js')).startScheduler(client, data.spec.opts);
    case 'virtual-nodes':
      return (await import('../virtual-nodes/virtual-nodes.js')).startVirtualNodes(client, data.spec.opts);
  }
}

if (!isMainThread && parentPort !== null && (workerData as Partial<ThreadData> | undefined)?.spec !== undefined) {
  const port = parentPort;
  void runComponent(workerData as ThreadData).then((running) => {
    port.on('message', (msg: unknown) => {
      if (msg === 'stop') running.stop();
    });
  });
}
