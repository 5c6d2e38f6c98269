// `k8ts cluster create|list|delete`: clusters of network-namespace nodes on this machine (src/cluster).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCluster, DEFAULT_FLANNEL_BACKEND, deleteCluster, flannelBackends, formatClusterTable, isFlannelBackend, kubeconfigPath, listClusterStates } from '../cluster/index.js';
import { parseGoDuration } from '../machinery/go-duration.js';
import { defaultDataDir } from './server-command.js';

export const clusterUsage = `Usage: k8ts cluster COMMAND [flags]

Clusters of a master and N nodes on this machine, each node a network namespace with its own address on a bridge
that has no uplink (as OpenStack Magnum's bays): k8ts server on the master, k8ts agent on the nodes.

Commands:
  create NAME [--nodes N] [--flannel-backend vxlan|host-gw] [--timeout D]
                  make the cluster, wait until every node is Ready, and add a kubeconfig context NAME
                  (to the first file of $KUBECONFIG, else ~/.kube/config) and make it current
  list            print NAME, UUID, STATUS, NODES and API ADDRESS of every cluster
  delete NAME...  remove every trace of the clusters (processes, pods, namespaces, links, rules, files, context)

Flags:
  -d, --data-dir DIR          where clusters live, in DIR/clusters/NAME (default /var/lib/k8ts as root, ~/.k8ts otherwise)
      --nodes N               nodes besides the master (default 1)
      --flannel-backend B     vxlan (default) or host-gw
      --timeout D             how long create waits for every node to be Ready (default 2m)
      --server-arg ARG        an extra flag for the master's k8ts server, e.g. --server-arg=--node-monitor-grace-period=20s
                              (repeatable; as k3d's --k3s-arg)
      --agent-arg ARG         an extra flag for every node's k8ts agent (repeatable)
`;

const options = {
  'data-dir': { type: 'string', short: 'd' },
  nodes: { type: 'string', default: '1' },
  'flannel-backend': { type: 'string', default: DEFAULT_FLANNEL_BACKEND },
  timeout: { type: 'string', default: '2m' },
  'server-arg': { type: 'string', multiple: true },
  'agent-arg': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

export async function runCluster(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e: unknown) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${msg.replace(/^Unknown option/, 'unknown flag')}\n\n${clusterUsage}`);
  }
  const { values, positionals } = parsed;
  const [sub, ...names] = positionals;
  if (values.help === true || sub === undefined || sub === 'help') {
    process.stdout.write(clusterUsage);
    if (sub === undefined && values.help !== true) process.exitCode = 1;
    return;
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  switch (sub) {
    case 'create': {
      const [name, ...extra] = names;
      if (name === undefined) throw new Error('k8ts cluster create needs a NAME: k8ts cluster create NAME --nodes N');
      if (extra.length > 0) throw new Error(`k8ts cluster create takes one NAME, not ${names.length}: ${names.join(' ')}`);
      const nodes = Number(values.nodes);
      if (!/^\d+$/.test(values.nodes) || !Number.isSafeInteger(nodes)) throw new Error(`invalid --nodes ${values.nodes}: a whole number is needed`);
      const backend = values['flannel-backend'];
      if (!isFlannelBackend(backend)) throw new Error(`invalid --flannel-backend ${JSON.stringify(backend)}: one of ${flannelBackends.join(', ')}`);
      let timeoutMs: number;
      try {
        timeoutMs = parseGoDuration(values.timeout);
      } catch {
        throw new Error(`invalid --timeout ${values.timeout}: a duration such as 90s or 2m is needed`);
      }
      if (timeoutMs <= 0) throw new Error(`invalid --timeout ${values.timeout}: a positive duration is needed`);
      const script = process.argv[1];
      if (script === undefined) throw new Error('cannot tell which k8ts is running (no script path)');
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await createCluster({ dataDir, name, nodes, flannelBackend: backend, kubeconfig: kubeconfigPath(), k8tsCommand: [process.execPath, resolve(script)], timeoutMs, out: say, signal: abort.signal, serverArgs: values['server-arg'] ?? [], agentArgs: values['agent-arg'] ?? [] });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return;
    }
    case 'list':
    case 'ls': {
      if (names.length > 0) throw new Error(`k8ts cluster list takes no arguments, got: ${names.join(' ')}`);
      const { clusters, broken } = listClusterStates(dataDir);
      for (const b of broken) process.stderr.write(`warning: cluster "${b.name}": ${b.error}\n`);
      if (clusters.length === 0) {
        process.stderr.write(`No clusters found in ${dataDir}.\n`);
        return;
      }
      process.stdout.write(formatClusterTable(clusters));
      return;
    }
    case 'delete':
    case 'rm': {
      if (names.length === 0) throw new Error('k8ts cluster delete needs a NAME: k8ts cluster delete NAME');
      const errors: string[] = [];
      for (const name of names) {
        try {
          await deleteCluster({ dataDir, name, out: say });
        } catch (e: unknown) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (errors.length > 0) throw new Error(errors.join('\nk8ts: '));
      return;
    }
    default:
      throw new Error(`unknown cluster command "${sub}": create, list or delete\n\n${clusterUsage}`);
  }
}
