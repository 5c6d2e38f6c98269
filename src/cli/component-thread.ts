// Control-plane components on threads of their own, as upstream runs kube-scheduler as a process of its own: its
// informers and work then use a core the API server does not, and a burst of it does not hold up requests. It reaches
// the API server through the loopback socket like any other client. (The virtual nodes stay on the main thread: on
// two cores a thread of their own cost more CPU than it freed.)
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { workerExecArgv } from '../machinery/worker-exec-argv.js';
import { runLeaderElected, type LeaderElectedOptions } from '../client/leader-elected.js';
import { KUBE_SCHEDULER_LEASE } from '../client/leader-election.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';

export type ComponentSpec = { readonly component: 'scheduler'; readonly opts: SchedulerOptions; readonly leaderElection?: Omit<LeaderElectedOptions, 'lease'> };

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
  const { startScheduler } = await import('../scheduler/scheduler.js');
  const { opts, leaderElection } = data.spec;
  return runLeaderElected(client, { lease: KUBE_SCHEDULER_LEASE, leaderElect: false, ...leaderElection }, () => startScheduler(client, opts));
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
