// The host side of a cluster's network, with `ip` and `iptables`: the bridge (no uplink, the host's .1 on it), one
// network namespace per node joined to the bridge by a veth pair (eth0 inside, loopback up, no default route: nothing
// a node sends can leave the machine), and REJECT rules that stop the host from routing anything between the bridge
// and its other interfaces.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NetworkPlan, NodePlan } from './address-plan.js';
import type { HostRule } from './cluster-state.js';

const execFileP = promisify(execFile);

/** Runs a command; a failure throws with the command line and its stderr. */
export async function runCommand(cmd: string, args: readonly string[]): Promise<string> {
  try {
    return (await execFileP(cmd, [...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (e: unknown) {
    const stderr = typeof e === 'object' && e !== null && 'stderr' in e && typeof e.stderr === 'string' ? e.stderr.trim() : '';
    const msg = stderr !== '' ? stderr : e instanceof Error ? e.message : String(e);
    throw new Error(`${cmd} ${args.join(' ')}: ${msg}`);
  }
}

/** The addresses and routes on this machine, as `ip` prints them (input for addressesInUse). */
export async function readHostAddresses(): Promise<{ addrs: string; routes: string }> {
  const [addrs, routes] = await Promise.all([runCommand('ip', ['-4', '-o', 'addr', 'show']), runCommand('ip', ['-4', 'route', 'show', 'table', 'all'])]);
  return { addrs, routes };
}

export async function linkExists(name: string): Promise<boolean> {
  try {
    await execFileP('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

export async function netnsExists(name: string): Promise<boolean> {
  const out = await runCommand('ip', ['netns', 'list']);
  return out.split('\n').some((l) => l.split(' ')[0] === name);
}

/** Creates the bridge, puts the host's address on it and brings it up. */
export async function createBridge(plan: NetworkPlan): Promise<void> {
  if (await linkExists(plan.bridge)) throw new Error(`a link named ${plan.bridge} exists already on this machine`);
  await runCommand('ip', ['link', 'add', plan.bridge, 'type', 'bridge']);
  await runCommand('ip', ['addr', 'add', `${plan.hostIp}/${plan.prefix}`, 'dev', plan.bridge]);
  await runCommand('ip', ['link', 'set', plan.bridge, 'up']);
}

/**
 * The node's namespace with loopback up and eth0 (the veth into the bridge) holding its address; no default route.
 * The service range gets an on-link route over eth0, as a real node's default route would carry it: a locally made
 * packet to a cluster IP needs a route before the proxy's DNAT can rewrite it, and one that no rule rewrites goes
 * nowhere (the bridge has no uplink, and nothing on it answers for those addresses).
 */
export async function createNodeNetns(plan: NetworkPlan, node: NodePlan, serviceCidr = '10.254.0.0/16'): Promise<void> {
  if (await netnsExists(node.netns)) throw new Error(`a network namespace named ${node.netns} exists already on this machine`);
  await runCommand('ip', ['netns', 'add', node.netns]);
  await runCommand('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up']);
  await runCommand('ip', ['link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', node.nodeIface, 'netns', node.netns]);
  await runCommand('ip', ['link', 'set', node.hostVeth, 'master', plan.bridge, 'up']);
  await runCommand('ip', ['-n', node.netns, 'addr', 'add', `${node.ip}/${plan.prefix}`, 'dev', node.nodeIface]);
  await runCommand('ip', ['-n', node.netns, 'link', 'set', node.nodeIface, 'up']);
  await runCommand('ip', ['-n', node.netns, 'route', 'add', serviceCidr, 'dev', node.nodeIface]);
}

/** Deletes a link; one that is gone (or going, as a veth whose namespace was deleted) is no error. */
export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  try {
    await runCommand('ip', ['link', 'delete', name]);
  } catch (e: unknown) {
    if (await linkExists(name)) throw e;
  }
}

/** Deletes the namespace (its veth pair goes with it), then the host end if it is still there. Idempotent. */
export async function deleteNodeNetns(netns: string, hostVeth: string): Promise<void> {
  if (await netnsExists(netns)) await runCommand('ip', ['netns', 'delete', netns]);
  await deleteLink(hostVeth);
}

/** Deletes the bridge if it exists. */
export async function deleteBridge(bridge: string): Promise<void> {
  await deleteLink(bridge);
}

/**
 * The host's guard rules for a cluster's bridge: nothing routed from the bridge to another interface, nor from
 * another interface into the bridge. Traffic between the nodes (bridged) and between the host and the nodes passes.
 */
export function hostRules(cluster: string, bridge: string): HostRule[] {
  const comment = ['-m', 'comment', '--comment', `k8ts cluster ${cluster}`];
  return [
    { chain: 'FORWARD', rule: ['-i', bridge, '!', '-o', bridge, ...comment, '-j', 'REJECT'] },
    { chain: 'FORWARD', rule: ['!', '-i', bridge, '-o', bridge, ...comment, '-j', 'REJECT'] },
  ];
}

/** Inserts one rule at the top of its chain. */
export async function insertHostRule(r: HostRule): Promise<void> {
  await runCommand('iptables', ['-w', '-I', r.chain, '1', ...r.rule]);
}

/** Deletes every copy of the rule (none left is not an error). */
export async function deleteHostRule(r: HostRule): Promise<void> {
  for (let i = 0; i < 10; i++) {
    try {
      await execFileP('iptables', ['-w', '-C', r.chain, ...r.rule]);
    } catch {
      return;
    }
    await runCommand('iptables', ['-w', '-D', r.chain, ...r.rule]);
  }
}
