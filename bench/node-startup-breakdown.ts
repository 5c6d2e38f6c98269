// Where a pod's startup time goes, from containerd's own timestamps read over CRI after the pods run: the sandbox's
// createdAt (containerd 1.6 stamps it when RunPodSandbox begins, before the network is set up), the container's
// createdAt (CreateContainer) and startedAt (the task started). With the bench's create-returned and Running-seen
// times (wall clock, nanoseconds) they split create-to-Running into four steps.
import type { RuntimeService } from '../src/cri/index.js';

const labelPodName = 'io.kubernetes.pod.name';
const labelPodNamespace = 'io.kubernetes.pod.namespace';

/** Wall-clock nanoseconds of one pod's steps; any may be missing. */
export interface StartupStamps {
  created?: bigint;
  sandboxCreated?: bigint;
  containerCreated?: bigint;
  containerStarted?: bigint;
  running?: bigint;
}

export const startupSteps = [
  { name: 'create returned -> RunPodSandbox began (informer, queue, volumes)', from: 'created', to: 'sandboxCreated' },
  { name: 'RunPodSandbox began -> container created (sandbox, network)', from: 'sandboxCreated', to: 'containerCreated' },
  { name: 'container created -> started', from: 'containerCreated', to: 'containerStarted' },
  { name: 'container started -> Running seen (status write, watch)', from: 'containerStarted', to: 'running' },
] as const;

/** For each step, the milliseconds it took for every pod that has both of its stamps. */
export function stepDurations(pods: readonly StartupStamps[]): { name: string; samples: number[] }[] {
  return startupSteps.map((step) => ({
    name: step.name,
    samples: pods.flatMap((p) => {
      const a = p[step.from];
      const b = p[step.to];
      return a !== undefined && b !== undefined ? [Number(b - a) / 1e6] : [];
    }),
  }));
}

/** containerd's sandbox and container stamps of the pods of `namespace`, by pod name (the first container of each). */
export async function runtimeStamps(runtime: RuntimeService, namespace: string): Promise<Map<string, StartupStamps>> {
  const out = new Map<string, StartupStamps>();
  const entry = (name: string): StartupStamps => {
    let e = out.get(name);
    if (e === undefined) {
      e = {};
      out.set(name, e);
    }
    return e;
  };
  const sandboxes = await runtime.listPodSandbox({});
  for (const sb of sandboxes.items) {
    if (sb.labels[labelPodNamespace] !== namespace) continue;
    const name = sb.labels[labelPodName];
    if (name !== undefined) entry(name).sandboxCreated = BigInt(sb.createdAt);
  }
  const containers = await runtime.listContainers({});
  for (const c of containers.containers) {
    if (c.labels[labelPodNamespace] !== namespace) continue;
    const name = c.labels[labelPodName];
    if (name === undefined) continue;
    const status = (await runtime.containerStatus({ containerId: c.id })).status;
    const e = entry(name);
    e.containerCreated = BigInt(c.createdAt);
    if (status !== undefined && status.startedAt !== '0') e.containerStarted = BigInt(status.startedAt);
  }
  return out;
}
