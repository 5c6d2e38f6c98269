// What the end-to-end suites that run `k8ts server` with its node agent (real containerd) share: kubectl run
// asynchronously against the server's kubeconfig (pods run for seconds, and a synchronous kubectl would stop the
// event loop), the pod as JSON, the wait for this machine's node, the offline busybox image built and imported with
// `k8ts images import`, and host-network busybox pods bound to the node. Host-network pods that run only local
// commands keep every packet on this machine (see "Network safety" in ARCHITECTURE.md); suites on the pod network
// add the guards of bench/node-network-guard.ts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage } from '../../../src/images/builtin-images.js';
import { k8tsBin, waitFor, type K8tsServer, type RunResult } from './server.js';

const run = promisify(execFile);

/** The image buildBusyboxImage writes; imported, never pulled (imagePullPolicy IfNotPresent). */
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';

/** kubectl that must succeed (it rejects otherwise), with `input` on its stdin; its stdout. */
export type Kubectl = (args: string[], input?: string) => Promise<string>;

interface ContainerStateJson {
  running?: object;
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string };
}

/** The fields of a container's status that the suites read. */
export interface ContainerStatusJson {
  name?: string;
  containerID?: string;
  image?: string;
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerStateJson;
  lastState?: ContainerStateJson;
}

/** The fields of a pod (`kubectl get pod NAME -o json`) that the suites read. */
export interface PodJson {
  metadata?: { name?: string; uid?: string; ownerReferences?: { kind?: string; name?: string }[] };
  spec?: { nodeName?: string; containers?: { image?: string }[] };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; containerStatuses?: ContainerStatusJson[] };
}

/** kubectl against one server, and the pod getters built on it. */
export interface AgentKubectl {
  /** This process's environment with the server's KUBECONFIG, for kubectl started some other way (spawn, a pty). */
  env(): NodeJS.ProcessEnv;
  kubectl: Kubectl;
  /** kubectl's exit code and both outputs, for commands expected to fail. */
  kubectlResult(args: string[]): Promise<RunResult>;
  /** The pod `name` in the default namespace. */
  pod(name: string): Promise<PodJson>;
  /** The status of the pod's container (`main` unless named). */
  status(name: string, container?: string): Promise<ContainerStatusJson | undefined>;
}

/**
 * kubectl for the server whose kubeconfig `kubeconfig` names when called: the suites start their server in before(),
 * after these functions are made.
 */
export function agentKubectl(kubeconfig: () => string): AgentKubectl {
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: kubeconfig() });
  const kubectl: Kubectl = async (args, input) => {
    const child = run('kubectl', args, { env: env(), maxBuffer: 16 * 1024 * 1024 });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  };
  const kubectlResult = async (args: string[]): Promise<RunResult> => {
    try {
      const { stdout, stderr } = await run('kubectl', args, { env: env() });
      return { code: 0, stdout, stderr };
    } catch (e: unknown) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };
  const pod = async (name: string): Promise<PodJson> => JSON.parse(await kubectl(['get', 'pod', name, '-o', 'json'])) as PodJson;
  const status = async (name: string, container = 'main'): Promise<ContainerStatusJson | undefined> =>
    (await pod(name)).status?.containerStatuses?.find((c) => c.name === container);
  return { env, kubectl, kubectlResult, pod, status };
}

/** Waits until this machine has registered as a node (within `timeoutMs`); its name. */
export async function waitForNode(kubectl: Kubectl, timeoutMs: number): Promise<string> {
  await waitFor('the node', async () => (await kubectl(['get', 'nodes', '-o', 'name'])).trim() !== '', timeoutMs);
  return (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
}

/** `k8ts images import ARCHIVE` into the containerd of the server with this data dir; what it printed. */
export async function importImage(dataDir: string, archive: string): Promise<string> {
  return (await run(process.execPath, [k8tsBin, 'images', 'import', archive, '--data-dir', dataDir])).stdout;
}

/** Builds the busybox image (busybox.tar in the data dir) and imports it; what `k8ts images import` printed. */
export async function importBusybox(dataDir: string): Promise<string> {
  const archive = join(dataDir, 'busybox.tar');
  await buildBusyboxImage(archive);
  return importImage(dataDir, archive);
}

/** A container of the imported busybox image with the given fields (its command, probes, and such). */
export function busyboxContainerWith(name: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { name, image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', ...fields };
}

/** A container of the imported busybox image that runs `sh -c script`; `extra` adds fields or overrides them. */
export function busyboxContainer(name: string, script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return busyboxContainerWith(name, { command: ['sh', '-c', script], ...extra });
}

/**
 * A host-network pod bound to `nodeName` (the suites run without the scheduler), with a grace period of 1 s, as
 * JSON for `kubectl apply -f -`. `spec` adds fields to the spec or overrides them; `metadata` adds labels and such.
 */
export function hostNetworkPod(
  name: string,
  nodeName: string,
  containers: Record<string, unknown>[],
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...metadata },
    spec: { nodeName, hostNetwork: true, terminationGracePeriodSeconds: 1, containers, ...spec },
  });
}

/**
 * Deletes the suite's pods (their containers are real and would outlive the server) and destroys the server; nothing
 * when it never started.
 */
export async function stopNodeAgent(server: K8tsServer | undefined, kubectl: Kubectl): Promise<void> {
  if (server === undefined) return;
  await kubectl(['delete', 'pods', '--all', '--grace-period=1', '--wait=true']).catch(() => '');
  await server.destroy();
}
