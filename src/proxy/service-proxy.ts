// The service proxy of a node (kube-proxy in nftables mode): it watches Services, EndpointSlices and its own Node
// through the API and keeps one nftables table, `ip k8ts-proxy`, in step with them. The first sync (once both
// caches have listed) rebuilds the table from nothing, replacing any left over by an earlier run; after that each
// change rewrites only the rules of the Services it touched, a few milliseconds after the event. stop() deletes the
// table: nothing is left behind.
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Informer, objectKey, type Obj } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { log } from '../cli/log.js';
import { deleteTable, nftRunner, type NftRunner } from './nft-runner.js';
import { defaultTableName } from './nft-script.js';
import { ProxyRules } from './proxy-rules.js';
import { renderService, type ServiceRenderContext } from './render-service.js';
import type { RenderedRules } from './rendered-rules.js';
import { isIPv4 } from './service-port-info.js';
import { execFile } from 'node:child_process';
import { staleUdpDeletions, udpServicePorts, type UdpServicePort } from './udp-conntrack.js';

/** The EndpointSlice label naming its Service. */
export const labelServiceName = 'kubernetes.io/service-name';

export interface ServiceProxyOptions {
  client: RestClient;
  /** This node's name (endpoints on it are local). */
  nodeName: string;
  /** The node's addresses: NodePorts answer on them (with the Node's InternalIP/ExternalIP addresses). */
  nodeIPs: readonly string[];
  /** --cluster-cidr: pod traffic, which is not masqueraded to cluster IPs. */
  clusterCidr: string;
  /** --service-cidr: its unallocated addresses are dropped. */
  serviceCidr: string;
  /** The nft command (default `nft`); e.g. `ip netns exec NS nft` to program another network namespace. */
  nftCommand?: readonly string[];
  /** The table's name (default k8ts-proxy). */
  table?: string;
  /** How long a change waits for others to join it in one transaction (default 5 ms). */
  coalesceMs?: number;
  /** The wait before a failed sync is retried with a full one (default 1 s). */
  retryMs?: number;
  /** The conntrack command for stale UDP entries (default `conntrack`; `ip netns exec NS conntrack` likewise). */
  conntrackCommand?: readonly string[];
}

export interface ServiceProxyStats {
  fullSyncs: number;
  partialSyncs: number;
  failedSyncs: number;
  /** Services with rules in the table. */
  services: number;
  lastSyncMs: number;
}

export interface ServiceProxy {
  readonly table: string;
  /** Resolves once the first full sync has written the table. */
  ready(): Promise<void>;
  stats(): ServiceProxyStats;
  /** Stops watching and deletes the table. */
  stop(): Promise<void>;
}

function nodeAddresses(node: Node | undefined): string[] {
  return (node?.status?.addresses ?? []).filter((a) => (a.type === 'InternalIP' || a.type === 'ExternalIP') && isIPv4(a.address)).map((a) => a.address);
}

export function startServiceProxy(opts: ServiceProxyOptions): ServiceProxy {
  const table = opts.table ?? defaultTableName;
  const run: NftRunner = nftRunner(opts.nftCommand);
  const coalesceMs = opts.coalesceMs ?? 5;
  const retryMs = opts.retryMs ?? 1000;
  const ctx: ServiceRenderContext = { clusterCidr: opts.clusterCidr, nodeIP: opts.nodeIPs[0] ?? '', nodeName: opts.nodeName };
  const rules = new ProxyRules(table);

  const services = new Informer(opts.client, '/api/v1/services');
  const slices = new Informer(opts.client, '/apis/discovery.k8s.io/v1/endpointslices');
  const nodes = new Informer(opts.client, '/api/v1/nodes', { fieldSelector: `metadata.name=${opts.nodeName}` });

  const slicesByService = new Map<string, Map<string, EndpointSlice>>();
  const dirty = new Set<string>();
  /** Services refused an IP and port another Service held, by that owner: re-rendered when the owner changes. */
  const waitingOn = new Map<string, Set<string>>();
  /** Each Service's UDP ports as the kernel's rules last had them (for stale conntrack entries). */
  const udpState = new Map<string, Map<string, UdpServicePort>>();
  const conntrack = opts.conntrackCommand ?? ['conntrack'];
  let conntrackMissing = false;
  /** Deletes the entries; `conntrack -D` exits 1 when there were none, which is no error. */
  const clearConntrack = async (args: readonly string[]): Promise<void> => {
    if (conntrackMissing) return;
    await new Promise<void>((resolve) => {
      execFile(conntrack[0] ?? 'conntrack', [...conntrack.slice(1), '-D', ...args], (err, _stdout, stderr) => {
        if (err !== null && 'code' in err && err.code === 'ENOENT') {
          conntrackMissing = true;
          log.warn('conntrack is missing: stale UDP flows of removed endpoints are not cleared (apt-get install conntrack)', { component: 'service-proxy' });
        } else if (err !== null && !/0 flow entries have been deleted/.test(stderr)) {
          log.warn('clearing stale UDP conntrack entries failed', { component: 'service-proxy', args: args.join(' '), err: stderr.trim() || err.message });
        }
        resolve();
      });
    });
  };
  /** The conntrack deletions run one after another, behind the syncs (a sync never waits for them). */
  let clearing: Promise<void> = Promise.resolve();
  const clearStaleUdp = (keys: Iterable<string>): void => {
    const deletions: string[][] = [];
    for (const key of keys) {
      const next = udpServicePorts(services.get(key) as Service | undefined, slicesByService.get(key)?.values() ?? []);
      deletions.push(...staleUdpDeletions(udpState.get(key) ?? new Map(), next));
      if (next.size === 0) udpState.delete(key);
      else udpState.set(key, next);
    }
    if (deletions.length === 0) return;
    clearing = clearing.then(async () => {
      for (const d of deletions) if (!stopped) await clearConntrack(d);
    });
  };
  let needFull = true;
  let nodePortIPs: string[] = [];
  let nodePortIPsDirty = false;
  let initialized = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let pending = false;
  let timer: NodeJS.Timeout | undefined;
  let staleTimer: NodeJS.Timeout | undefined;
  const stats: ServiceProxyStats = { fullSyncs: 0, partialSyncs: 0, failedSyncs: 0, services: 0, lastSyncMs: 0 };
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));

  const currentNodePortIPs = (): string[] => [...new Set([...opts.nodeIPs, ...nodeAddresses(nodes.get(opts.nodeName) as Node | undefined)])].filter((ip) => isIPv4(ip) && !ip.startsWith('127.'));

  const sliceService = (s: Obj): string | undefined => {
    const name = (s as unknown as EndpointSlice).metadata?.labels?.[labelServiceName];
    return name === undefined || name === '' ? undefined : `${s.metadata?.namespace ?? ''}/${name}`;
  };
  const putSlice = (s: Obj): void => {
    const svc = sliceService(s);
    if (svc === undefined) return;
    let m = slicesByService.get(svc);
    if (m === undefined) slicesByService.set(svc, (m = new Map()));
    m.set(objectKey(s), s as unknown as EndpointSlice);
    markDirty(svc);
  };
  const removeSlice = (s: Obj): void => {
    const svc = sliceService(s);
    if (svc === undefined) return;
    const m = slicesByService.get(svc);
    m?.delete(objectKey(s));
    if (m !== undefined && m.size === 0) slicesByService.delete(svc);
    markDirty(svc);
  };

  const render = (key: string): RenderedRules => renderService(services.get(key) as Service | undefined, slicesByService.get(key)?.values() ?? [], ctx);

  function markDirty(key: string): void {
    dirty.add(key);
    schedule(coalesceMs);
  }

  function schedule(delayMs: number): void {
    if (stopped || !initialized) return;
    if (running !== undefined) {
      pending = true;
      return;
    }
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = sync().finally(() => {
        running = undefined;
        if (pending) {
          pending = false;
          schedule(0);
        }
      });
    }, delayMs);
  }

  function scheduleStaleCleanup(): void {
    const deadline = rules.nextStaleDeadline();
    if (deadline === undefined || stopped) return;
    if (staleTimer !== undefined) clearTimeout(staleTimer);
    staleTimer = setTimeout(() => {
      staleTimer = undefined;
      schedule(0);
    }, Math.max(0, deadline - Date.now()) + 10);
    staleTimer.unref();
  }

  async function sync(): Promise<void> {
    if (stopped) return;
    const started = Date.now();
    const full = needFull;
    const keys = [...dirty];
    dirty.clear();
    const ipsChanged = nodePortIPsDirty;
    nodePortIPsDirty = false;
    try {
      let plan;
      if (full) {
        const all = new Map<string, RenderedRules>();
        for (const svc of services.list()) all.set(objectKey(svc), render(objectKey(svc)));
        nodePortIPs = currentNodePortIPs();
        plan = rules.planFull(all, { serviceCidr: opts.serviceCidr, nodePortIPs });
      } else {
        const changed = new Map<string, RenderedRules>();
        for (const key of keys) changed.set(key, render(key));
        plan = rules.planPartial(changed, started, ipsChanged ? nodePortIPs : undefined);
      }
      for (const c of plan.conflicts) log.warn('service IP and port already taken by another service; skipped', { component: 'service-proxy', element: c.element, owner: c.owner, service: c.claimant });
      if (plan.script !== '') await run(plan.script);
      plan.commit();
      // The rules are in: flows NATed to endpoints that are gone go now (upstream clears them after its sync too).
      clearStaleUdp(full ? new Set([...services.list().map((svc) => objectKey(svc)), ...udpState.keys()]) : keys);
      // An owner that changed may have let go of what others waited for: they get their turn.
      for (const k of keys) {
        const claimants = waitingOn.get(k);
        if (claimants === undefined) continue;
        waitingOn.delete(k);
        for (const c of claimants) markDirty(c);
      }
      for (const c of plan.conflicts) {
        const set = waitingOn.get(c.owner) ?? new Set<string>();
        set.add(c.claimant);
        waitingOn.set(c.owner, set);
      }
      needFull = false;
      stats.services = rules.serviceCount;
      stats.lastSyncMs = Date.now() - started;
      if (full) {
        stats.fullSyncs++;
        log.info('service proxy rules written', { component: 'service-proxy', table, services: rules.serviceCount, ms: stats.lastSyncMs });
        resolveReady();
      } else if (plan.script !== '') stats.partialSyncs++;
      scheduleStaleCleanup();
    } catch (e: unknown) {
      stats.failedSyncs++;
      for (const k of keys) dirty.add(k);
      if (ipsChanged) nodePortIPsDirty = true;
      needFull = true;
      log.error('syncing the service proxy rules failed; retrying with a full sync', { component: 'service-proxy', table, err: e instanceof Error ? e.message : String(e) });
      if (!stopped) {
        const retry = setTimeout(() => schedule(0), retryMs);
        retry.unref();
      }
    }
  }

  services.addHandlers({
    add: (o) => markDirty(objectKey(o)),
    update: (_o, n) => markDirty(objectKey(n)),
    delete: (o) => markDirty(objectKey(o)),
  });
  slices.addHandlers({
    add: putSlice,
    update: (o, n) => {
      const before = sliceService(o);
      if (before !== undefined && before !== sliceService(n)) removeSlice(o);
      putSlice(n);
    },
    delete: removeSlice,
  });
  const onNode = (): void => {
    const ips = currentNodePortIPs();
    if (ips.join(',') === nodePortIPs.join(',')) return;
    nodePortIPs = ips;
    nodePortIPsDirty = true;
    schedule(coalesceMs);
  };
  nodes.addHandlers({ add: onNode, update: onNode, delete: onNode });
  services.start();
  slices.start();
  nodes.start();
  void Promise.all([services.waitForSync(), slices.waitForSync()]).then(() => {
    if (stopped) return;
    initialized = true;
    schedule(0);
  });

  return {
    table,
    ready: () => readyPromise,
    stats: () => ({ ...stats }),
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      services.stop();
      slices.stop();
      nodes.stop();
      if (timer !== undefined) clearTimeout(timer);
      if (staleTimer !== undefined) clearTimeout(staleTimer);
      await running;
      await clearing;
      try {
        await deleteTable(run, table);
        log.info('service proxy rules removed', { component: 'service-proxy', table });
      } catch (e: unknown) {
        log.error('removing the service proxy table failed', { component: 'service-proxy', table, err: e instanceof Error ? e.message : String(e) });
      }
    },
  };
}
