// CRI configs from a v1 pod (kuberuntime_sandbox.go generatePodSandboxConfig, kuberuntime_container.go
// generateContainerConfig, kubelet_pods.go makeEnvironmentVariables): metadata, labels and annotations as the kubelet
// sets them, log paths, env with fieldRef/resourceFieldRef/configMapKeyRef/secretKeyRef/envFrom, the service
// variables and $(VAR) expansion, the termination message mount, Linux resources from requests and limits, and the
// security context; the sandbox's DNS config and host name, and the managed /etc/hosts mount.
import { join } from 'node:path';
import type { ConfigMap, Container, EnvVar, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, DNSConfig, KeyValue, LinuxContainerResources, LinuxContainerSecurityContext, Mount, NamespaceOption, PodSandboxConfig, PortMapping } from '../cri/index.js';
import { podQOSClass } from '../apiserver/registry/strategy.js';
import { containerResourceRuntimeValue, type ResourceQuantities } from './resource-field-ref.js';
import { parseQuantity } from '../machinery/quantity.js';
import { extractFieldPathAsString } from './volumes/downward-api.js';
import { mountsOwnEtcHosts } from './etc-hosts.js';
import { nodenameForKernel, podHostnameAndDomain } from './pod-hostname.js';
import {
  annotationRestartCount, annotationTerminationGracePeriod, annotationTerminationMessagePath, annotationTerminationMessagePolicy,
  labelContainerName, labelPodName, labelPodNamespace, labelPodUid,
} from './pod-runtime-status.js';

/** Where the kubelet reads ConfigMaps and Secrets from (undefined: not found). */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** A container whose config can't be made: reason CreateContainerConfigError, message as upstream's error. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface ContainerConfigContext {
  nodeName: string;
  podIP: string;
  hostIP: string;
  restartCount: number;
  lookup: ObjectLookup;
  /** Bytes of memory on the node, for a Burstable container's oom_score_adj. */
  memoryCapacity?: number;
  /** The container's volume mounts, given its environment (subPathExpr expands it); none when absent. */
  mounts?: (env: ReadonlyMap<string, string>) => Promise<Mount[]>;
  /**
   * The service variables a pod of `namespace` sees (getServiceEnvVarMap); throws ContainerConfigError when they
   * can't be known yet. None when absent.
   */
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => ReadonlyMap<string, string>;
  /** The node's allocatable resources: the limits of a resourceFieldRef that has none. */
  nodeAllocatable?: ResourceQuantities;
  /** Creates the host file mounted at the container's terminationMessagePath; no mount when absent. */
  terminationMessageFile?: () => Promise<string>;
  /**
   * Writes the pod's managed hosts file and gives its mount at /etc/hosts (makeHostsMount); undefined when the pod
   * gets none yet (no pod IP). Not asked for a container that mounts a volume at /etc/hosts itself.
   */
  hostsMount?: () => Promise<Mount | undefined>;
}

/** What the sandbox config takes from the kubelet's DNS configurer. */
export interface SandboxDnsOptions {
  /** The pod's resolver configuration (GetPodDNS); the runtime's default without it. */
  dnsConfig?: DNSConfig;
  /** --cluster-domain, for the FQDN of a pod with setHostnameAsFQDN and a subdomain. */
  clusterDomain?: string;
}

const minShares = 2;
const maxShares = 262_144;
const quotaPeriod = 100_000;
const minQuotaPeriod = 1000;

/** The pod's log directory: /var/log/pods/NS_NAME_UID, here under the kubelet's root dir. */
export function podLogDirectory(rootDir: string, pod: Pod): string {
  const m = pod.metadata ?? {};
  return join(rootDir, 'pod-logs', `${m.namespace ?? ''}_${m.name ?? ''}_${m.uid ?? ''}`);
}

/** The cgroup parent of a pod's sandbox and containers. */
export function podCgroupParent(pod: Pod): string {
  return podCgroupParentOf(pod.metadata?.uid ?? '');
}

/** The cgroup parent of the pod with this UID. */
export function podCgroupParentOf(uid: string): string {
  return `/k8ts/pod${uid}`;
}

/** NAME/RESTARTCOUNT.log, relative to the pod's log directory. */
export function containerLogPath(name: string, restartCount: number): string {
  return `${name}/${restartCount}.log`;
}

export function milliCpuToShares(milli: number): number {
  if (milli === 0) return minShares;
  return Math.min(maxShares, Math.max(minShares, Math.floor((milli * 1024) / 1000)));
}

export function milliCpuToQuota(milli: number, period = quotaPeriod): number {
  if (milli === 0) return 0;
  return Math.max(minQuotaPeriod, Math.floor((milli * period) / 1000));
}

function quantity(v: string | number | undefined): { milli: number; value: number } | undefined {
  if (v === undefined) return undefined;
  const q = parseQuantity(String(v));
  return { milli: Number(q.milliValue()), value: Number(q.value()) };
}

function namespaceOptions(pod: Pod): NamespaceOption {
  const s = pod.spec;
  return {
    network: s?.hostNetwork === true ? 'NODE' : 'POD',
    pid: s?.hostPID === true ? 'NODE' : s?.shareProcessNamespace === true ? 'POD' : 'CONTAINER',
    ipc: s?.hostIPC === true ? 'NODE' : 'POD',
  };
}

/** Linux resources of a container: cpu shares from the request (or the limit), CFS quota from the limit, memory limit. */
export function containerResources(pod: Pod, container: Container, memoryCapacity = 0): LinuxContainerResources {
  const req = quantity(container.resources?.requests?.['cpu']);
  const lim = quantity(container.resources?.limits?.['cpu']);
  const mem = quantity(container.resources?.limits?.['memory']);
  const shares = req === undefined || req.milli === 0 ? milliCpuToShares(lim?.milli ?? 0) : milliCpuToShares(req.milli);
  const r: LinuxContainerResources = {
    cpuShares: String(shares),
    cpuPeriod: String(quotaPeriod),
    cpuQuota: String(milliCpuToQuota(lim?.milli ?? 0)),
    oomScoreAdj: String(oomScoreAdjust(pod, container, memoryCapacity)),
  };
  if (mem !== undefined && mem.value !== 0) r.memoryLimitInBytes = String(mem.value);
  return r;
}

/**
 * GetContainerOOMScoreAdjust, never negative (no CAP_SYS_RESOURCE on these nodes): Guaranteed 0 instead of -997,
 * BestEffort 1000, Burstable 1000 - 1000 * memory request / capacity within [2, 999].
 */
export function oomScoreAdjust(pod: Pod, container: Container, memoryCapacity: number): number {
  const qos = podQOSClass(pod.spec);
  if (qos === 'Guaranteed') return 0;
  if (qos === 'BestEffort') return 1000;
  const request = quantity(container.resources?.requests?.['memory'])?.value ?? 0;
  if (memoryCapacity <= 0) return 999;
  const adj = 1000 - Math.floor((1000 * request) / memoryCapacity);
  return Math.min(999, Math.max(2, adj));
}

function securityContext(pod: Pod, container: Container): LinuxContainerSecurityContext {
  const ps = pod.spec?.securityContext ?? {};
  const cs = container.securityContext ?? {};
  const sc: LinuxContainerSecurityContext = { namespaceOptions: namespaceOptions(pod) };
  const user = cs.runAsUser ?? ps.runAsUser;
  const group = cs.runAsGroup ?? ps.runAsGroup;
  if (user !== undefined) sc.runAsUser = { value: String(user) };
  if (group !== undefined) sc.runAsGroup = { value: String(group) };
  if (cs.privileged !== undefined) sc.privileged = cs.privileged;
  if (cs.readOnlyRootFilesystem !== undefined) sc.readonlyRootfs = cs.readOnlyRootFilesystem;
  if (cs.capabilities !== undefined) {
    sc.capabilities = { addCapabilities: [...(cs.capabilities.add ?? [])], dropCapabilities: [...(cs.capabilities.drop ?? [])] };
  }
  if (ps.supplementalGroups !== undefined) sc.supplementalGroups = ps.supplementalGroups.map(String);
  if (cs.allowPrivilegeEscalation === false) sc.noNewPrivs = true;
  return sc;
}

/**
 * The pod sandbox's config (generatePodSandboxConfig): its DNS config, and, off the host network, its host name (the
 * FQDN under setHostnameAsFQDN). Throws PodHostnameError when the host name can't be formed.
 */
export function sandboxConfig(pod: Pod, attempt: number, rootDir: string, dns: SandboxDnsOptions = {}): PodSandboxConfig {
  const m = pod.metadata ?? {};
  const s = pod.spec ?? { containers: [] };
  const portMappings: PortMapping[] = [];
  for (const c of s.containers ?? []) {
    for (const p of c.ports ?? []) {
      const pm: PortMapping = { containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'] };
      if (p.hostPort !== undefined) pm.hostPort = p.hostPort;
      if (p.hostIP !== undefined) pm.hostIp = p.hostIP;
      portMappings.push(pm);
    }
  }
  // A host-network pod keeps the node's hostname: the runtime must not set one (runc can't without a UTS namespace).
  let hostname = '';
  if (s.hostNetwork !== true) {
    const named = podHostnameAndDomain(pod, dns.clusterDomain ?? '');
    hostname = nodenameForKernel(named.hostname, named.domain, s.setHostnameAsFQDN);
  }
  const privileged = [...(s.initContainers ?? []), ...(s.containers ?? [])].some((c) => c.securityContext?.privileged === true);
  const ps = s.securityContext ?? {};
  const config: PodSandboxConfig = {
    metadata: { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '', attempt },
    logDirectory: podLogDirectory(rootDir, pod),
    portMappings,
    labels: { ...(m.labels ?? {}), [labelPodName]: m.name ?? '', [labelPodNamespace]: m.namespace ?? '', [labelPodUid]: m.uid ?? '' },
    annotations: { ...(m.annotations ?? {}) },
    linux: {
      cgroupParent: podCgroupParent(pod),
      securityContext: {
        namespaceOptions: namespaceOptions(pod),
        privileged,
        ...(ps.runAsUser !== undefined ? { runAsUser: { value: String(ps.runAsUser) } } : {}),
        ...(ps.runAsGroup !== undefined ? { runAsGroup: { value: String(ps.runAsGroup) } } : {}),
        ...(ps.supplementalGroups !== undefined ? { supplementalGroups: ps.supplementalGroups.map(String) } : {}),
      },
    },
  };
  if (hostname !== '') config.hostname = hostname;
  if (dns.dnsConfig !== undefined) config.dnsConfig = dns.dnsConfig;
  return config;
}

/** expansion.Expand: $(VAR) from the mapping when defined, $$ is a literal $, anything else stays as written. */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end === -1) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const v = vars.get(name);
      out += v ?? `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

/** podFieldSelectorRuntimeValue: the runtime's fields here, the object's own (metadata) from ExtractFieldPathAsString. */
function fieldRefValue(pod: Pod, path: string, ctx: ContainerConfigContext): string {
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      try {
        return extractFieldPathAsString(pod, path);
      } catch (e: unknown) {
        throw new ContainerConfigError(e instanceof Error ? e.message : String(e));
      }
  }
}

function decodeSecret(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/** makeEnvironmentVariables: envFrom first, then env (later wins), with $(VAR) expansion against what came before. */
export async function makeEnvironment(pod: Pod, container: Container, ctx: ContainerConfigContext): Promise<KeyValue[]> {
  const ns = pod.metadata?.namespace ?? '';
  const serviceEnv = ctx.serviceEnv?.(ns, pod.spec?.enableServiceLinks !== false) ?? new Map<string, string>();
  const vars = new Map<string, string>();
  const configMaps = new Map<string, ConfigMap | undefined>();
  const secrets = new Map<string, Secret | undefined>();
  const getConfigMap = async (name: string, optional: boolean): Promise<ConfigMap | undefined> => {
    if (!configMaps.has(name)) configMaps.set(name, await ctx.lookup.configMap(ns, name));
    const cm = configMaps.get(name);
    if (cm === undefined && !optional) throw new ContainerConfigError(`configmap "${name}" not found`);
    return cm;
  };
  const getSecret = async (name: string, optional: boolean): Promise<Secret | undefined> => {
    if (!secrets.has(name)) secrets.set(name, await ctx.lookup.secret(ns, name));
    const s = secrets.get(name);
    if (s === undefined && !optional) throw new ContainerConfigError(`secret "${name}" not found`);
    return s;
  };

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef !== undefined) {
      const cm = await getConfigMap(from.configMapRef.name ?? '', from.configMapRef.optional === true);
      for (const [k, v] of Object.entries(cm?.data ?? {})) vars.set(prefix + k, v);
    } else if (from.secretRef !== undefined) {
      const s = await getSecret(from.secretRef.name ?? '', from.secretRef.optional === true);
      for (const k of Object.keys({ ...(s?.stringData ?? {}), ...(s?.data ?? {}) })) vars.set(prefix + k, s === undefined ? '' : (decodeSecret(s, k) ?? ''));
    }
  }

  // $(VAR) sees the variables declared so far, then the service variables (expansion.MappingFuncFor(tmpEnv, serviceEnv)).
  for (const env of container.env ?? []) {
    const mapping = serviceEnv.size === 0 ? vars : new Map([...serviceEnv, ...vars]);
    const value = await envValue(pod, container, env, mapping, ctx, getConfigMap, getSecret);
    if (value !== undefined) vars.set(env.name, value);
  }
  // The container's own variables, then the service variables it does not override.
  const out = [...vars].map(([key, value]) => ({ key, value }));
  for (const [key, value] of serviceEnv) if (!vars.has(key)) out.push({ key, value });
  return out;
}

async function envValue(
  pod: Pod,
  container: Container,
  env: EnvVar,
  vars: ReadonlyMap<string, string>,
  ctx: ContainerConfigContext,
  getConfigMap: (name: string, optional: boolean) => Promise<ConfigMap | undefined>,
  getSecret: (name: string, optional: boolean) => Promise<Secret | undefined>,
): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? '';
  if (env.valueFrom === undefined) return expandVars(env.value ?? '', vars);
  const vf = env.valueFrom;
  if (vf.fieldRef !== undefined) return fieldRefValue(pod, vf.fieldRef.fieldPath, ctx);
  if (vf.configMapKeyRef !== undefined) {
    const ref = vf.configMapKeyRef;
    const optional = ref.optional === true;
    const cm = await getConfigMap(ref.name ?? '', optional);
    if (cm === undefined) return undefined;
    const v = cm.data?.[ref.key];
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}`);
    }
    return v;
  }
  if (vf.secretKeyRef !== undefined) {
    const ref = vf.secretKeyRef;
    const optional = ref.optional === true;
    const s = await getSecret(ref.name ?? '', optional);
    if (s === undefined) return undefined;
    const v = decodeSecret(s, ref.key);
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}`);
    }
    return v;
  }
  if (vf.resourceFieldRef !== undefined) {
    try {
      return containerResourceRuntimeValue(vf.resourceFieldRef, pod, container, ctx.nodeAllocatable ?? {});
    } catch (e: unknown) {
      throw new ContainerConfigError(e instanceof Error ? e.message : String(e));
    }
  }
  return '';
}

/** generateContainerConfig. Throws ContainerConfigError when the env can't be made. */
export async function containerConfig(pod: Pod, container: Container, ctx: ContainerConfigContext): Promise<ContainerConfig> {
  const m = pod.metadata ?? {};
  const envs = await makeEnvironment(pod, container, ctx);
  const vars = new Map(envs.map((e) => [e.key, e.value]));
  const annotations: Record<string, string> = {
    [annotationRestartCount]: String(ctx.restartCount),
    [annotationTerminationMessagePath]: container.terminationMessagePath ?? '/dev/termination-log',
    [annotationTerminationMessagePolicy]: container.terminationMessagePolicy ?? 'File',
    [annotationTerminationGracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
  };
  if ((container.ports ?? []).length > 0) annotations['io.kubernetes.container.ports'] = JSON.stringify(container.ports);
  const config: ContainerConfig = {
    metadata: { name: container.name, attempt: ctx.restartCount },
    image: { image: container.image ?? '', userSpecifiedImage: container.image ?? '' },
    command: (container.command ?? []).map((c) => expandVars(c, vars)),
    args: (container.args ?? []).map((a) => expandVars(a, vars)),
    workingDir: container.workingDir ?? '',
    envs,
    labels: { [labelPodName]: m.name ?? '', [labelPodNamespace]: m.namespace ?? '', [labelPodUid]: m.uid ?? '', [labelContainerName]: container.name },
    annotations,
    logPath: containerLogPath(container.name, ctx.restartCount),
    stdin: container.stdin === true,
    stdinOnce: container.stdinOnce === true,
    tty: container.tty === true,
    linux: { resources: containerResources(pod, container, ctx.memoryCapacity ?? 0), securityContext: securityContext(pod, container) },
  };
  const mounts = (await ctx.mounts?.(vars)) ?? [];
  // The managed /etc/hosts after the volumes (kubelet makeMounts), unless the container mounts a volume there.
  if (ctx.hostsMount !== undefined && !mountsOwnEtcHosts(container)) {
    const hosts = await ctx.hostsMount();
    if (hosts !== undefined) mounts.push(hosts);
  }
  // The termination message file comes after the volumes (kuberuntime makeMounts).
  const terminationMessagePath = container.terminationMessagePath ?? '/dev/termination-log';
  if (terminationMessagePath !== '' && ctx.terminationMessageFile !== undefined) {
    mounts.push({ containerPath: terminationMessagePath, hostPath: await ctx.terminationMessageFile(), readonly: false, selinuxRelabel: false });
  }
  if (mounts.length > 0) config.mounts = mounts;
  return config;
}

/** The field path of a container in its pod's spec (upstream's fieldpath for GenerateContainerRef), as events name it. */
export function containerFieldPath(pod: Pod, name: string): string {
  const spec = pod.spec;
  if ((spec?.initContainers ?? []).some((c) => c.name === name)) return `spec.initContainers{${name}}`;
  if ((spec?.ephemeralContainers ?? []).some((c) => c.name === name)) return `spec.ephemeralContainers{${name}}`;
  return `spec.containers{${name}}`;
}
