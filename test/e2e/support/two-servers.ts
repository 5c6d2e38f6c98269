// Two k8ts servers on one etcd with upstream's leader election shortened (the leader-election and HA e2e tests): the
// first holds the kube-system Leases before the second starts, and the second joins with the first's token (the
// cluster CA is shared through etcd).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, K8tsServer, parseObject, repoRoot, waitFor, type ServerOptions } from './server.js';

/** Leases of 3 s, renewed within 2 s, tried every 500 ms. */
export const leaderFlags = ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms'];

export interface TwoServers {
  readonly etcd: { endpoint: string; stop(): Promise<void> };
  readonly a: K8tsServer;
  readonly b: K8tsServer;
}

/** The holder of a kube-system Lease as s reports it, or '' when it has none (yet). */
export function leaseHolder(s: K8tsServer, lease: string): string {
  const r = s.kubectl(['get', 'lease', lease, '-n', 'kube-system', '-o', 'json']);
  return r.code === 0 ? String(at(parseObject(r.stdout), 'spec.holderIdentity') ?? '') : '';
}

type Side = Pick<ServerOptions, 'controlLoops' | 'extraArgs'>;

/** Starts etcd, server a (waiting until it leads both the controllers and the scheduler), then server b. */
export async function startTwoServers(a: Side, b: Side): Promise<TwoServers> {
  const { startEtcd } = (await import(join(repoRoot, 'dist', 'src', 'storage', 'etcd', 'etcd-test-server.js'))) as { startEtcd: () => Promise<TwoServers['etcd']> };
  const etcd = await startEtcd();
  const first = await K8tsServer.start({ datastoreEndpoint: etcd.endpoint, ...a, extraArgs: [...(a.extraArgs ?? []), ...leaderFlags] });
  await waitFor('server a leads', () => leaseHolder(first, 'kube-controller-manager') !== '' && leaseHolder(first, 'kube-scheduler') !== '', 20_000);
  const token = readFileSync(join(first.dataDir, 'token'), 'utf8').trim();
  const second = await K8tsServer.start({ datastoreEndpoint: etcd.endpoint, ...b, extraArgs: [...(b.extraArgs ?? []), '--token', token, ...leaderFlags] });
  return { etcd, a: first, b: second };
}

/** Stops what startTwoServers started (whatever of it did start). */
export async function stopTwoServers(t: Partial<TwoServers> | undefined): Promise<void> {
  await t?.b?.destroy();
  await t?.a?.destroy();
  await t?.etcd?.stop();
}
