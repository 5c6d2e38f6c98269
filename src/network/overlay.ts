// The node's part of the overlay network (flannel with its kube subnet manager, in k8ts's process): it publishes the
// node's backend annotations, keeps the kernel's routes (host-gw) or VXLAN device, neighbour and forwarding entries
// (vxlan) in step with the other nodes' podCIDRs, and masquerades pod traffic that leaves the cluster network.
// Routes carry a protocol number of their own, so a restart finds and clears what an earlier run left for nodes
// that are gone. The VXLAN device is made when the first other node appears: a single-node cluster has none. On
// stop the routes and the device stay (pods keep reaching each other while the agent is down, as with flannel); the
// masquerade table goes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Node } from 'kubernetes-types/core/v1.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { formatIpv4, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';
import { nodeAnnotations, vtepMac, vxlanDevice, vxlanMtu, vxlanPort, vxlanVni, type FlannelBackend } from './flannel-backend.js';
import { remoteSubnets, type RemoteSubnet } from './overlay-plan.js';
import { masqueradeRules, masqueradeTable } from './masquerade.js';

const run = promisify(execFile);

/** The routing protocol number k8ts's overlay routes carry (`ip route show proto 75`). */
export const overlayRouteProto = 75;

export interface OverlayOptions {
  client: RestClient;
  nodeName: string;
  nodeIp: string;
  backend: FlannelBackend;
  clusterCidr: string;
  /** No node address may lie in it (nor in the cluster range). */
  serviceCidr: string;
  /** Resolves with this node's podCIDR once it has one. */
  podCidr: Promise<string>;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void;
}

export interface Overlay {
  /** Applies the current nodes now (tests and the benchmark); resolves when the kernel has it. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

async function ip(args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function errText(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'stderr' in e && typeof e.stderr === 'string' && e.stderr.trim() !== '') return e.stderr.trim();
  return e instanceof Error ? e.message : String(e);
}

async function nft(script: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('nft', ['-f', '-'], (err, _stdout, stderr) => (err === null ? resolve() : reject(new Error(`nft: ${stderr.trim() || err.message}`))));
    child.stdin?.end(script);
  });
}

/** The interface the kernel sends packets to an address through. */
async function deviceTowards(address: string): Promise<string> {
  const routes: unknown = JSON.parse(await ip(['-j', 'route', 'get', address]));
  const first: unknown = Array.isArray(routes) ? routes[0] : undefined;
  if (typeof first === 'object' && first !== null && 'dev' in first && typeof first.dev === 'string') return first.dev;
  throw new Error(`no route to ${address}`);
}

interface JsonRoute {
  dst?: string;
}

async function ourRoutes(): Promise<string[]> {
  const parsed: unknown = JSON.parse((await ip(['-j', '-4', 'route', 'show', 'proto', String(overlayRouteProto)])) || '[]');
  if (!Array.isArray(parsed)) return [];
  return parsed.map((r: JsonRoute) => r.dst ?? '').filter((d) => d !== '');
}

async function linkExists(name: string): Promise<boolean> {
  try {
    await ip(['link', 'show', name]);
    return true;
  } catch {
    return false;
  }
}

export async function startOverlay(opts: OverlayOptions): Promise<Overlay> {
  const { client, nodeName, backend } = opts;
  const nodes = new Informer(client, '/api/v1/nodes');
  let ownCidr: string | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let annotated = false;

  await nft(masqueradeRules(opts.clusterCidr)).catch((e: unknown) => opts.log('error', 'masquerade rules not installed', { err: errText(e) }));

  const publish = async (): Promise<void> => {
    const self = nodes.get(nodeName) as Node | undefined;
    if (self === undefined || annotated) return;
    const want = nodeAnnotations(backend, nodeName, opts.nodeIp);
    const have = self.metadata?.annotations ?? {};
    if (Object.entries(want).every(([k, v]) => have[k] === v)) {
      annotated = true;
      return;
    }
    await client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(nodeName)}`, { metadata: { annotations: want } }, 'application/merge-patch+json');
    annotated = true;
    opts.log('info', 'overlay annotations published', { backend, publicIp: opts.nodeIp });
  };

  const ensureVxlan = async (): Promise<void> => {
    if (!(await linkExists(vxlanDevice))) {
      const dev = await deviceTowards(opts.nodeIp).catch(() => undefined);
      await ip(['link', 'add', vxlanDevice, 'address', vtepMac(nodeName), 'type', 'vxlan', 'id', String(vxlanVni), 'local', opts.nodeIp, ...(dev !== undefined && dev !== 'lo' ? ['dev', dev] : []), 'dstport', String(vxlanPort), 'nolearning']);
      opts.log('info', 'vxlan device created', { device: vxlanDevice, vni: vxlanVni, port: vxlanPort });
    }
    await ip(['link', 'set', vxlanDevice, 'mtu', String(vxlanMtu), 'up']);
    if (ownCidr !== undefined) await ip(['addr', 'replace', `${formatIpv4(parseIpv4Cidr(ownCidr).base)}/32`, 'dev', vxlanDevice]);
  };

  const apply = async (want: RemoteSubnet[]): Promise<void> => {
    const wanted = new Set(want.map((w) => w.podCidr));
    if (backend === 'vxlan' && want.length > 0) await ensureVxlan();
    // One node that cannot be reached (no route to its address, a refused entry) must not hold up the others nor
    // the clean-up below: each is applied on its own.
    for (const w of want) {
      try {
        if (backend === 'host-gw') {
          const dev = await deviceTowards(w.nodeIp);
          await ip(['route', 'replace', w.podCidr, 'via', w.nodeIp, 'dev', dev, 'proto', String(overlayRouteProto)]);
        } else if (w.vtepMac !== undefined && w.vtepIp !== undefined) {
          await ip(['neigh', 'replace', w.vtepIp, 'lladdr', w.vtepMac, 'dev', vxlanDevice, 'nud', 'permanent']);
          await run('bridge', ['fdb', 'replace', w.vtepMac, 'dev', vxlanDevice, 'dst', w.nodeIp, 'self', 'permanent']);
          await ip(['route', 'replace', w.podCidr, 'via', w.vtepIp, 'dev', vxlanDevice, 'onlink', 'proto', String(overlayRouteProto)]);
        }
      } catch (e: unknown) {
        opts.log('error', 'overlay entry for a node not applied', { node: w.node, podCIDR: w.podCidr, nodeIp: w.nodeIp, err: errText(e) });
      }
    }
    for (const dst of await ourRoutes()) {
      if (wanted.has(dst)) continue;
      await ip(['route', 'del', dst, 'proto', String(overlayRouteProto)]).catch(() => undefined);
      opts.log('info', 'overlay route removed', { podCIDR: dst });
    }
    if (backend === 'vxlan' && (await linkExists(vxlanDevice))) {
      const macs = new Set(want.map((w) => w.vtepMac));
      const ips = new Set(want.map((w) => w.vtepIp));
      const neigh: unknown = JSON.parse((await ip(['-j', 'neigh', 'show', 'dev', vxlanDevice])) || '[]');
      for (const n of Array.isArray(neigh) ? neigh : []) {
        const dst: unknown = typeof n === 'object' && n !== null && 'dst' in n ? n.dst : undefined;
        if (typeof dst === 'string' && !ips.has(dst)) await ip(['neigh', 'del', dst, 'dev', vxlanDevice]).catch(() => undefined);
      }
      const { stdout } = await run('bridge', ['-j', 'fdb', 'show', 'dev', vxlanDevice]);
      const fdb: unknown = JSON.parse(stdout || '[]');
      for (const f of Array.isArray(fdb) ? fdb : []) {
        const mac: unknown = typeof f === 'object' && f !== null && 'mac' in f ? f.mac : undefined;
        const dst: unknown = typeof f === 'object' && f !== null && 'dst' in f ? f.dst : undefined;
        if (typeof mac === 'string' && typeof dst === 'string' && mac !== '00:00:00:00:00:00' && !macs.has(mac)) {
          await run('bridge', ['fdb', 'del', mac, 'dev', vxlanDevice, 'dst', dst, 'self']).catch(() => undefined);
        }
      }
    }
  };

  const syncOnce = async (): Promise<void> => {
    await publish().catch((e: unknown) => opts.log('warn', 'overlay annotations not published yet', { err: errText(e) }));
    const want = remoteSubnets(nodeName, backend, nodes.list() as Node[], { clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr });
    await apply(want);
  };

  const sync = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await syncOnce().catch((e: unknown) => opts.log('error', 'overlay sync failed', { err: errText(e) }));
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const schedule = (): void => {
    if (stopped || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, 50);
  };

  nodes.addHandlers({ add: schedule, update: schedule, delete: schedule });
  nodes.start();
  void opts.podCidr.then((cidr) => {
    ownCidr = cidr;
    schedule();
  }, () => undefined);
  // A resync now and then repairs what someone else removed (flannel's own loop does the same).
  const resync = setInterval(schedule, 30_000);
  resync.unref();
  return {
    sync,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(resync);
      if (timer !== undefined) clearTimeout(timer);
      nodes.stop();
      await running;
      await nft(`delete table ip ${masqueradeTable}\n`).catch(() => undefined);
    },
  };
}
