// The network safety of the node benchmark, as test/e2e/pod-network.test.ts sets it up: before k8ts starts, REJECT
// rules stop anything from the pod range leaving the machine and anything towards the service range (FORWARD and
// OUTPUT), and this process may reach the pod range only through cni0. remove() deletes exactly those rules,
// restores ip_forward (the bridge plugin turns it on) and deletes cni0 if the bench created it. The pod and service
// ranges are checked against this machine's addresses and routes first, and a cni0 that exists already is refused.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { cidrContains, parseIpv4Cidr, type Ipv4Cidr } from '../src/controllers/nodeipam/cidr-set.js';

const run = promisify(execFile);

export const BRIDGE = 'cni0';

/** Whether two IPv4 CIDRs share any address. */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const shorter = a.prefix <= b.prefix ? a : b;
  const longer = shorter === a ? b : a;
  return cidrContains(shorter, longer.base);
}

/** The addresses (`ip -4 -o addr show`) and routes other than the default (`ip -4 route show table all`) in use. */
export function addressesInUse(addrs: string, routes: string): string[] {
  return [
    ...[...addrs.matchAll(/\binet (\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => m[1] ?? ''),
    ...routes.split('\n').map((l) => /^(?:\S+ )?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)\b/.exec(l)?.[1] ?? '').filter((s) => s !== ''),
  ];
}

/** The first address or route in use that collides with one of the ranges, as a message; undefined when none does. */
export function rangeCollision(ranges: readonly string[], inUse: readonly string[]): string | undefined {
  for (const range of ranges) {
    const r = parseIpv4Cidr(range);
    for (const used of inUse) {
      const u = parseIpv4Cidr(used.includes('/') ? used : `${used}/32`);
      if (overlaps(r, u)) return `${range} collides with ${used} on this machine: choose another range`;
    }
  }
  return undefined;
}

/** The guard rules, each as the arguments that follow -I CHAIN 1 / -D CHAIN (the filter table unless they name one). */
export function guardRules(clusterCidr: string, serviceCidr: string): { chain: string; rule: string[] }[] {
  return [
    { chain: 'FORWARD', rule: ['-s', clusterCidr, '!', '-d', clusterCidr, '-j', 'REJECT'] },
    { chain: 'FORWARD', rule: ['-d', serviceCidr, '-j', 'REJECT'] },
    { chain: 'OUTPUT', rule: ['-d', serviceCidr, '-j', 'REJECT'] },
    // Local traffic to the pod range must leave through cni0. Checked after routing (mangle POSTROUTING): in filter
    // OUTPUT the out interface is the one chosen before the service proxy's DNAT, so a cluster IP or NodePort
    // rewritten to a pod would still show eth0 or lo there.
    { chain: 'POSTROUTING', rule: ['-t', 'mangle', '-d', clusterCidr, '!', '-o', BRIDGE, '-j', 'DROP'] },
  ];
}

async function linkExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', name]);
    return true;
  } catch {
    return false;
  }
}

export class NetworkGuard {
  private readonly installed: { chain: string; rule: string[] }[] = [];
  private ipForward: string | undefined;
  private bridgeExisted = true;
  private removing: Promise<void> | undefined;

  private constructor(
    readonly clusterCidr: string,
    readonly serviceCidr: string,
  ) {}

  /**
   * Checks the ranges and cni0, then inserts the REJECT rules (each at the top of its chain). On a failure part-way,
   * the rules already inserted are removed before it throws.
   */
  static async install(clusterCidr: string, serviceCidr: string): Promise<NetworkGuard> {
    const addrs = (await run('ip', ['-4', '-o', 'addr', 'show'])).stdout;
    const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
    const collision = rangeCollision([clusterCidr, serviceCidr], addressesInUse(addrs, routes));
    if (collision !== undefined) throw new Error(collision);
    const g = new NetworkGuard(clusterCidr, serviceCidr);
    g.ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    g.bridgeExisted = await linkExists(BRIDGE);
    if (g.bridgeExisted) throw new Error(`a ${BRIDGE} bridge exists already on this machine (another pod-network test or bench running?): this bench would share it`);
    try {
      for (const r of guardRules(clusterCidr, serviceCidr)) {
        await run('iptables', ['-I', r.chain, '1', ...r.rule]);
        g.installed.push(r);
      }
    } catch (e: unknown) {
      await g.remove();
      throw e;
    }
    return g;
  }

  /** The rules in place now, as `iptables -S` prints them for the filter and mangle tables. */
  async rules(): Promise<string> {
    return (await run('iptables', ['-S'])).stdout + (await run('iptables', ['-t', 'mangle', '-S'])).stdout;
  }

  /** Deletes cni0 (when the bench made it), restores ip_forward, deletes exactly the rules inserted. Idempotent. */
  remove(): Promise<void> {
    this.removing ??= (async () => {
      try {
        if (!this.bridgeExisted && (await linkExists(BRIDGE))) await run('ip', ['link', 'delete', BRIDGE]).catch(() => undefined);
        if (this.ipForward !== undefined) await writeFile('/proc/sys/net/ipv4/ip_forward', `${this.ipForward}\n`).catch(() => undefined);
      } finally {
        for (const r of this.installed.splice(0).reverse()) await run('iptables', ['-D', r.chain, ...r.rule]).catch(() => undefined);
      }
    })();
    return this.removing;
  }
}
