// The pod admission plugins of upstream's default chain: ServiceAccount (default account, token volume),
// Priority (priority from PriorityClass) and DefaultTolerationSeconds.
import { isRecord, type StoredObject } from '../../api/object.js';
import { ApiError } from '../../machinery/errors.js';
import { generateNameSuffix } from '../registry/resource-store.js';

export type Lookup = (namespace: string, name: string) => Promise<StoredObject | undefined>;

const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

function forbidden(pod: StoredObject, why: string): ApiError {
  return ApiError.forbidden({ group: '', name: 'pods' }, pod.metadata.name ?? '', why);
}

function specOf(pod: StoredObject): Record<string, unknown> {
  if (!isRecord(pod['spec'])) pod['spec'] = {};
  return pod['spec'] as Record<string, unknown>;
}

/** Upstream's ServiceAccount admission (pods only, on create). */
export async function admitServiceAccount(pod: StoredObject, getServiceAccount: Lookup): Promise<void> {
  const spec = specOf(pod);
  const ns = pod.metadata.namespace ?? '';
  let name = typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '' ? spec['serviceAccountName'] : '';
  if (name === '' && typeof spec['serviceAccount'] === 'string' && spec['serviceAccount'] !== '') name = spec['serviceAccount'];
  if (name === '') name = 'default';
  spec['serviceAccountName'] = name;
  spec['serviceAccount'] = name;
  // Mirror pods (static pods) are not admitted with service accounts upstream.
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
  let sa = await getServiceAccount(ns, name);
  // Give the service account controller a moment to create the default account of a new namespace.
  for (let i = 0; sa === undefined && name === 'default' && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    sa = await getServiceAccount(ns, name);
  }
  if (sa === undefined) throw forbidden(pod, `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`);
  const automount = typeof spec['automountServiceAccountToken'] === 'boolean' ? spec['automountServiceAccountToken'] : typeof sa['automountServiceAccountToken'] === 'boolean' ? sa['automountServiceAccountToken'] : true;
  if (!automount) return;
  const containers = [...(Array.isArray(spec['initContainers']) ? spec['initContainers'] : []), ...(Array.isArray(spec['containers']) ? spec['containers'] : [])].filter(isRecord);
  const volumes = Array.isArray(spec['volumes']) ? (spec['volumes'] as Record<string, unknown>[]) : [];
  // Containers that already mount something at the token path keep it.
  const needs = containers.filter((c) => !(Array.isArray(c['volumeMounts']) && (c['volumeMounts'] as Record<string, unknown>[]).some((m) => m['mountPath'] === tokenMountPath)));
  if (needs.length === 0) return;
  let volumeName = volumes.find((v) => typeof v['name'] === 'string' && v['name'].startsWith('kube-api-access-'))?.['name'] as string | undefined;
  if (volumeName === undefined) {
    volumeName = `kube-api-access-${generateNameSuffix()}`;
    volumes.push({
      name: volumeName,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    });
    spec['volumes'] = volumes;
  }
  for (const c of needs) {
    const mounts = Array.isArray(c['volumeMounts']) ? (c['volumeMounts'] as unknown[]) : [];
    mounts.push({ name: volumeName, readOnly: true, mountPath: tokenMountPath });
    c['volumeMounts'] = mounts;
  }
}

export const defaultPriorityClasses: readonly { name: string; value: number; description: string }[] = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** Upstream's Priority admission: spec.priority and spec.preemptionPolicy from the PriorityClass (or the global default). */
export async function admitPriority(pod: StoredObject, getPriorityClass: (name: string) => Promise<StoredObject | undefined>, listPriorityClasses: () => Promise<StoredObject[]>): Promise<void> {
  const spec = specOf(pod);
  const className = typeof spec['priorityClassName'] === 'string' ? spec['priorityClassName'] : '';
  let value = 0;
  let policy = 'PreemptLowerPriority';
  if (className === '') {
    const def = (await listPriorityClasses()).find((pc) => pc['globalDefault'] === true);
    if (def !== undefined) {
      value = typeof def['value'] === 'number' ? def['value'] : 0;
      if (typeof def['preemptionPolicy'] === 'string') policy = def['preemptionPolicy'];
      spec['priorityClassName'] = def.metadata.name;
    }
  } else {
    const pc = await getPriorityClass(className);
    if (pc === undefined) throw forbidden(pod, `no PriorityClass with name ${className} was found`);
    value = typeof pc['value'] === 'number' ? pc['value'] : 0;
    if (typeof pc['preemptionPolicy'] === 'string') policy = pc['preemptionPolicy'];
  }
  if (typeof spec['priority'] === 'number' && spec['priority'] !== value) {
    throw forbidden(pod, 'the integer value of priority (' + String(spec['priority']) + ') must not be provided in pod spec; priority admission controller computed ' + value + ' from the given PriorityClass name');
  }
  spec['priority'] = value;
  if (spec['preemptionPolicy'] === undefined) spec['preemptionPolicy'] = policy;
}

/** kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export interface DefaultTolerationSeconds {
  notReady: number;
  unreachable: number;
}

export const defaultTolerationSeconds: DefaultTolerationSeconds = { notReady: 300, unreachable: 300 };

/** Upstream's DefaultTolerationSeconds: tolerate not-ready and unreachable nodes (for 300 s unless configured). */
export function admitDefaultTolerationSeconds(pod: StoredObject, seconds: DefaultTolerationSeconds = defaultTolerationSeconds): void {
  const spec = specOf(pod);
  const tolerations = Array.isArray(spec['tolerations']) ? (spec['tolerations'] as Record<string, unknown>[]) : [];
  const has = (key: string): boolean =>
    tolerations.some((t) => (t['key'] === key || t['key'] === undefined || t['key'] === '') && (t['effect'] === 'NoExecute' || t['effect'] === undefined || t['effect'] === ''));
  for (const [key, tolerationSeconds] of [
    ['node.kubernetes.io/not-ready', seconds.notReady],
    ['node.kubernetes.io/unreachable', seconds.unreachable],
  ] as const) {
    if (!has(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds });
  }
  spec['tolerations'] = tolerations;
}
