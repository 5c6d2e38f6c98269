// Control-plane components on threads of their own, as upstream runs kube-scheduler as a process of its own: its
// informers and work then use a core the API server does not, and a burst of it does not hold up requests. It reaches
// the API server as its loopback client, over a MessagePort to the server's thread (port-transport.ts) rather than the
// loopback socket. (The virtual nodes stay on the main thread: on two cores a thread of their own cost more CPU than
// it freed.)
import { isMainThread, MessageChannel, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { registerInProcessDispatcher } from '../client/in-process-transport.js';
import { portDispatcher, serveInProcessPort } from '../client/port-transport.js';
import { workerExecArgv } from '../machinery/worker-exec-argv.js';
import { runLeaderElected, type LeaderElectedOptions } from '../client/leader-elected.js';
import { KUBE_SCHEDULER_LEASE } from '../client/leader-election.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';

export type ComponentSpec = { readonly component: 'scheduler'; readonly opts: SchedulerOptions; readonly leaderElection?: Omit<LeaderElectedOptions, 'lease'> };

interface ThreadData {
  readonly config: ClientConfig;
  readonly spec: ComponentSpec;
  /** The port to the API server's thread, for a loopback client (config.socketPath set). */
  readonly port?: MessagePort;
}

/** How long a stopping component may take (a leader releasing its Lease) before its thread is ended. */
const stopGraceMs = 3000;

/** Starts a component on a worker thread; stop() ends it. A thread that fails is reported, not restarted. */
export function startComponentThread(config: ClientConfig, spec: ComponentSpec): { stop(): Promise<void> } {
  const channel = config.socketPath !== undefined ? new MessageChannel() : undefined;
  const closePort = channel !== undefined && config.socketPath !== undefined ? serveInProcessPort(channel.port1, config.socketPath) : undefined;
  channel?.port1.unref();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { config, spec, ...(channel !== undefined ? { port: channel.port2 } : {}) } satisfies ThreadData,
    transferList: channel !== undefined ? [channel.port2] : [],
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
      closePort?.();
    },
  };
}

async function runComponent(data: ThreadData): Promise<{ stop(): void | Promise<void> }> {
  if (data.port !== undefined && data.config.socketPath !== undefined) registerInProcessDispatcher(data.config.socketPath, portDispatcher(data.port));
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
