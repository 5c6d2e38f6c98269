// Control-plane components on threads of their own, as upstream runs kube-scheduler (and kwok its fake kubelets) as
// processes of their own: their informers and work then use a core the API server does not, and a burst of theirs
// does not hold up requests. Each reaches the API server through the loopback listener like any other client.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { workerExecArgv } from '../machinery/worker-exec-argv.js';
import { runLeaderElected, type LeaderElectedOptions } from '../client/leader-elected.js';
import { KUBE_SCHEDULER_LEASE } from '../client/leader-election.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';
import type { VirtualNodesOptions } from '../virtual-nodes/virtual-nodes.js';

export type ComponentSpec =
  | { readonly component: 'scheduler'; readonly opts: SchedulerOptions; readonly leaderElection?: Omit<LeaderElectedOptions, 'lease'> }
  | { readonly component: 'virtual-nodes'; readonly opts: VirtualNodesOptions };

interface ThreadData {
  readonly config: ClientConfig;
  readonly spec: ComponentSpec;
}

/** How long a stopping component may take (a leader releasing its Lease) before its thread is ended. */
const stopGraceMs = 3000;

/** Starts a component on a worker thread; stop() ends it. A thread that fails is reported, not restarted. */
export function startComponentThread(config: ClientConfig, spec: ComponentSpec): { stop(): Promise<void> } {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { config, spec } satisfies ThreadData,
    execArgv: workerExecArgv(process.execArgv),
  });
  worker.unref();
  worker.on('error', (err: Error) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: `${spec.component} thread failed`, err: err.stack ?? err.message })}\n`);
  });
  return {
    stop: async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, stopGraceMs);
        worker.once('message', (msg: unknown) => {
          if (msg === 'stopped') {
            clearTimeout(timer);
            resolve();
          }
        });
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}

async function runComponent(data: ThreadData): Promise<{ stop(): void | Promise<void> }> {
  const client = new RestClient(data.config);
  switch (data.spec.component) {
    case 'scheduler': {
      const { startScheduler } = await import('../scheduler/scheduler.js');
      const opts = data.spec.opts;
      return runLeaderElected(client, { lease: KUBE_SCHEDULER_LEASE, leaderElect: false, ...data.spec.leaderElection }, () => startScheduler(client, opts));
    }
    case 'virtual-nodes':
      return (await import('../virtual-nodes/virtual-nodes.js')).startVirtualNodes(client, data.spec.opts);
  }
}

if (!isMainThread && parentPort !== null && (workerData as Partial<ThreadData> | undefined)?.spec !== undefined) {
  const port = parentPort;
  void runComponent(workerData as ThreadData).then((running) => {
    port.on('message', (msg: unknown) => {
      if (msg !== 'stop') return;
      void Promise.resolve(running.stop()).finally(() => port.postMessage('stopped'));
    });
  });
}
