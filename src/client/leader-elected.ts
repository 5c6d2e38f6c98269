// Runs a component only while this process holds its leader Lease (kube-system/kube-controller-manager or
// kube-scheduler), as upstream's components run with --leader-elect: started on winning the Lease, stopped on losing
// it. Where upstream then exits the process, a k8ts server (which also serves the API) stops the component and
// campaigns again. On stop, a leader releases the Lease so that another server takes over at once.
import { log } from '../cli/log.js';
import { defaultLeaderElectionIdentity, LeaderElector, LEADER_ELECTION_NAMESPACE, type LeaderElectorOptions } from './leader-election.js';
import type { RestClient } from './rest-client.js';

export interface Stoppable {
  stop(): void | Promise<void>;
}

export interface LeaderElectedOptions {
  /** The Lease's name in kube-system. */
  lease: string;
  /** Without leader election the component simply starts (one server on its own store). */
  leaderElect: boolean;
  identity?: string;
  /** Durations for tests; upstream's defaults (15 s, 10 s, 2 s) otherwise. */
  timings?: Pick<LeaderElectorOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>;
}

export function runLeaderElected(client: RestClient, opts: LeaderElectedOptions, start: () => Promise<Stoppable> | Stoppable): { stop(): Promise<void> } {
  if (!opts.leaderElect) {
    const running = Promise.resolve(start());
    return { stop: async () => (await running).stop() };
  }
  const identity = opts.identity ?? defaultLeaderElectionIdentity();
  let stopped = false;
  let elector: LeaderElector | undefined;
  let component: Promise<Stoppable> | undefined;

  const campaign = async (): Promise<void> => {
    while (!stopped) {
      elector = new LeaderElector(client, {
        namespace: LEADER_ELECTION_NAMESPACE,
        name: opts.lease,
        identity,
        releaseOnCancel: true,
        ...opts.timings,
        callbacks: {
          onStartedLeading: async () => {
            component = Promise.resolve(start());
            await component;
          },
          onStoppedLeading: () => {
            const c = component;
            component = undefined;
            if (c !== undefined) void c.then((r) => r.stop());
          },
        },
      });
      await elector.run();
      if (!stopped) log.warn('leader election lost; campaigning again', { lease: opts.lease, identity });
    }
  };
  const done = campaign().catch((e: unknown) => log.error('leader election failed', { lease: opts.lease, err: e instanceof Error ? e.message : String(e) }));

  return {
    stop: async () => {
      stopped = true;
      const c = component;
      component = undefined;
      // The component stops before the Lease is released, so that the next leader never overlaps with it.
      if (c !== undefined) await (await c).stop();
      await elector?.stop();
      await done;
    },
  };
}
