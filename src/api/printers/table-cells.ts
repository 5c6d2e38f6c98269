// The print* functions of upstream pkg/printers/internalversion/printers.go (v1.32) for every kind but Pod.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type {
  ComponentStatus, ConfigMap, Container, Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim,
  PodTemplate, ReplicationController, ResourceQuota, Secret, Service, ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass, IngressLoadBalancerStatus, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './human-duration.js';
import { quantityString } from './canonical-quantity.js';
import { formatLabelSelector, formatLabels, labelSelectorString } from './label-selector.js';

const loadBalancerWidth = 16;
const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

const ageOf = (meta: ObjectMeta | undefined, now: Date): string => translateTimestampSince(meta?.creationTimestamp, now);
const nameOf = (meta: ObjectMeta | undefined): string => meta?.name ?? '';
const isDeleting = (meta: ObjectMeta | undefined): boolean => meta?.deletionTimestamp !== undefined && meta.deletionTimestamp !== null;

/** layoutContainerCells: names and images joined by commas. */
export function layoutContainerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

const intOrString = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));
const printBoolPtr = (v: boolean | undefined): string => (v === undefined ? '<unset>' : v ? 'True' : 'False');
const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function podTemplateCells(obj: PodTemplate): unknown[] {
  const [names, images] = layoutContainerCells(obj.template?.spec?.containers);
  return [nameOf(obj.metadata), names, images, formatLabels(obj.template?.metadata?.labels)];
}

export function podDisruptionBudgetCells(obj: PodDisruptionBudget, now: Date): unknown[] {
  return [
    nameOf(obj.metadata),
    intOrString(obj.spec?.minAvailable),
    intOrString(obj.spec?.maxUnavailable),
    obj.status?.disruptionsAllowed ?? 0,
    ageOf(obj.metadata, now),
  ];
}

export function replicationControllerCells(obj: ReplicationController, now: Date): unknown[] {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return [
    nameOf(obj.metadata),
    obj.spec?.replicas ?? 0,
    obj.status?.replicas ?? 0,
    obj.status?.readyReplicas ?? 0,
    ageOf(obj.metadata, now),
    names,
    images,
    formatLabels(obj.spec?.selector),
  ];
}

export function replicaSetCells(obj: ReplicaSet, now: Date): unknown[] {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return [
    nameOf(obj.metadata),
    obj.spec?.replicas ?? 0,
    obj.status?.replicas ?? 0,
    obj.status?.readyReplicas ?? 0,
    ageOf(obj.metadata, now),
    names,
    images,
    formatLabelSelector(obj.spec?.selector),
  ];
}

function hasJobCondition(obj: Job, type: string): boolean {
  const c = (obj.status?.conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

export function jobCells(obj: Job, now: Date): unknown[] {
  const succeeded = obj.status?.succeeded ?? 0;
  let completions: string;
  if (obj.spec?.completions !== undefined && obj.spec.completions !== null) {
    completions = `${succeeded}/${obj.spec.completions}`;
  } else {
    const parallelism = obj.spec?.parallelism ?? 0;
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }
  let jobDuration = '';
  const start = parseTimestamp(obj.status?.startTime);
  const completion = parseTimestamp(obj.status?.completionTime);
  if (obj.status?.startTime !== undefined && start !== undefined) {
    jobDuration = completion === undefined || obj.status.completionTime === undefined
      ? humanDuration(now.getTime() - start)
      : humanDuration(completion - start);
  }
  let status: string;
  if (hasJobCondition(obj, 'Complete')) status = 'Complete';
  else if (hasJobCondition(obj, 'Failed')) status = 'Failed';
  else if (isDeleting(obj.metadata)) status = 'Terminating';
  else if (hasJobCondition(obj, 'Suspended')) status = 'Suspended';
  else if (hasJobCondition(obj, 'FailureTarget')) status = 'FailureTarget';
  else status = 'Running';
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return [nameOf(obj.metadata), status, completions, jobDuration, ageOf(obj.metadata, now), names, images, formatLabelSelector(obj.spec?.selector)];
}

export function cronJobCells(obj: CronJob, now: Date): unknown[] {
  const lastScheduleTime = obj.status?.lastScheduleTime ? translateTimestampSince(obj.status.lastScheduleTime, now) : '<none>';
  const timeZone = obj.spec?.timeZone ?? '<none>';
  const jobSpec = obj.spec?.jobTemplate?.spec;
  const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
  return [
    nameOf(obj.metadata),
    obj.spec?.schedule ?? '',
    timeZone,
    printBoolPtr(obj.spec?.suspend),
    (obj.status?.active ?? []).length,
    lastScheduleTime,
    ageOf(obj.metadata, now),
    names,
    images,
    formatLabelSelector(jobSpec?.selector),
  ];
}

function loadBalancerStatusString(ingress: readonly { ip?: string; hostname?: string }[] | undefined, wide: boolean): string {
  const result: string[] = [];
  for (const i of ingress ?? []) {
    if (i.ip) result.push(i.ip);
    else if (i.hostname) result.push(i.hostname);
  }
  let r = sortedUnique(result).join(',');
  if (!wide && r.length > loadBalancerWidth) r = `${r.slice(0, loadBalancerWidth - 3)}...`;
  return r;
}

function serviceExternalIP(svc: Service, wide: boolean): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIps = loadBalancerStatusString(svc.status?.loadBalancer?.ingress, wide);
      if (externalIPs.length > 0) {
        const results = lbIps.length > 0 ? lbIps.split(',') : [];
        return [...results, ...externalIPs].join(',');
      }
      return lbIps.length > 0 ? lbIps : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export function serviceCells(obj: Service, now: Date): unknown[] {
  const clusterIPs = obj.spec?.clusterIPs ?? [];
  const internalIP = clusterIPs[0] ?? (obj.spec?.clusterIP || '<none>');
  const ports = (obj.spec?.ports ?? [])
    .map((p) => (p.nodePort !== undefined && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
  return [
    nameOf(obj.metadata),
    obj.spec?.type ?? '',
    internalIP,
    // The apiserver prints wide, so load-balancer addresses are not clipped.
    serviceExternalIP(obj, true),
    ports === '' ? '<none>' : ports,
    ageOf(obj.metadata, now),
    formatLabels(obj.spec?.selector),
  ];
}

function formatHosts(rules: readonly { host?: string }[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

function ingressAddress(status: IngressLoadBalancerStatus | undefined): string {
  return loadBalancerStatusString(status?.ingress, true);
}

export function ingressCells(obj: Ingress, now: Date): unknown[] {
  return [
    nameOf(obj.metadata),
    obj.spec?.ingressClassName ?? '<none>',
    formatHosts(obj.spec?.rules ?? []),
    ingressAddress(obj.status?.loadBalancer),
    (obj.spec?.tls ?? []).length !== 0 ? '80, 443' : '80',
    ageOf(obj.metadata, now),
  ];
}

export function ingressClassCells(obj: IngressClass, now: Date): unknown[] {
  let parameters = '<none>';
  const p = obj.spec?.parameters;
  if (p) {
    parameters = p.kind;
    if (p.apiGroup !== undefined) parameters = `${parameters}.${p.apiGroup}`;
    parameters = `${parameters}/${p.name}`;
  }
  return [nameOf(obj.metadata), obj.spec?.controller ?? '', parameters, ageOf(obj.metadata, now)];
}

export function statefulSetCells(obj: StatefulSet, now: Date): unknown[] {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return [nameOf(obj.metadata), `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`, ageOf(obj.metadata, now), names, images];
}

export function daemonSetCells(obj: DaemonSet, now: Date): unknown[] {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  const s = obj.status;
  return [
    nameOf(obj.metadata),
    s?.desiredNumberScheduled ?? 0,
    s?.currentNumberScheduled ?? 0,
    s?.numberReady ?? 0,
    s?.updatedNumberScheduled ?? 0,
    s?.numberAvailable ?? 0,
    formatLabels(obj.spec?.template?.spec?.nodeSelector),
    ageOf(obj.metadata, now),
    names,
    images,
    formatLabelSelector(obj.spec?.selector),
  ];
}

/** net.JoinHostPort: IPv6 hosts are bracketed. */
const joinHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export function formatEndpoints(obj: Endpoints): string {
  const subsets = obj.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export function endpointsCells(obj: Endpoints, now: Date): unknown[] {
  return [nameOf(obj.metadata), formatEndpoints(obj), ageOf(obj.metadata, now)];
}

function listWithMoreString(list: readonly string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

export function endpointSliceCells(obj: EndpointSlice, now: Date): unknown[] {
  const max = 3;
  const ports: string[] = [];
  let morePorts = false;
  let portCount = 0;
  for (const port of obj.ports ?? []) {
    if (ports.length < max) {
      ports.push(port.port !== undefined && port.port !== null ? String(port.port) : port.name ?? '*');
    } else if (ports.length === max) {
      morePorts = true;
    }
    portCount++;
  }
  const addresses: string[] = [];
  let moreAddresses = false;
  let addressCount = 0;
  for (const endpoint of obj.endpoints ?? []) {
    for (const address of endpoint.addresses) {
      if (addresses.length < max) addresses.push(address);
      else if (addresses.length === max) moreAddresses = true;
      addressCount++;
    }
  }
  return [
    nameOf(obj.metadata),
    obj.addressType,
    listWithMoreString(ports, morePorts, portCount, max),
    listWithMoreString(addresses, moreAddresses, addressCount, max),
    ageOf(obj.metadata, now),
  ];
}

function findNodeRoles(node: Node): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(labelNodeRolePrefix)) {
      const role = k.slice(labelNodeRolePrefix.length);
      if (role.length > 0) roles.push(role);
    } else if (k === nodeLabelRole && v !== '') {
      roles.push(v);
    }
  }
  return sortedUnique(roles);
}

export function nodeCells(obj: Node, now: Date): unknown[] {
  const status: string[] = [];
  // Only the Ready condition is reported; the last one of that type wins, as in upstream's condition map.
  const ready = (obj.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (obj.spec?.unschedulable) status.push('SchedulingDisabled');
  const roles = findNodeRoles(obj).join(',');
  const info = obj.status?.nodeInfo;
  const address = (type: string): string => (obj.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
  return [
    nameOf(obj.metadata),
    status.join(','),
    roles === '' ? '<none>' : roles,
    ageOf(obj.metadata, now),
    info?.kubeletVersion ?? '',
    address('InternalIP'),
    address('ExternalIP'),
    info?.osImage || '<unknown>',
    info?.kernelVersion || '<unknown>',
    info?.containerRuntimeVersion || '<unknown>',
  ];
}

/** helper.GetAccessModesAsString. */
function accessModesString(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

export function persistentVolumeCells(obj: PersistentVolume, now: Date): unknown[] {
  const claimRef = obj.spec?.claimRef ? `${obj.spec.claimRef.namespace ?? ''}/${obj.spec.claimRef.name ?? ''}` : '';
  const phase = isDeleting(obj.metadata) ? 'Terminating' : obj.status?.phase ?? '';
  const storageClass = obj.metadata?.annotations?.[betaStorageClassAnnotation] ?? obj.spec?.storageClassName ?? '';
  return [
    nameOf(obj.metadata),
    quantityString(obj.spec?.capacity?.['storage']),
    accessModesString(obj.spec?.accessModes),
    obj.spec?.persistentVolumeReclaimPolicy ?? '',
    phase,
    claimRef,
    storageClass,
    obj.spec?.volumeAttributesClassName ?? '<unset>',
    obj.status?.reason ?? '',
    ageOf(obj.metadata, now),
    obj.spec?.volumeMode ?? '<unset>',
  ];
}

export function persistentVolumeClaimCells(obj: PersistentVolumeClaim, now: Date): unknown[] {
  const phase = isDeleting(obj.metadata) ? 'Terminating' : obj.status?.phase ?? '';
  let capacity = '';
  let accessModes = '';
  if (obj.spec?.volumeName) {
    accessModes = accessModesString(obj.status?.accessModes);
    capacity = quantityString(obj.status?.capacity?.['storage']);
  }
  const storageClass = obj.metadata?.annotations?.[betaStorageClassAnnotation] ?? obj.spec?.storageClassName ?? '';
  return [
    nameOf(obj.metadata),
    phase,
    obj.spec?.volumeName ?? '',
    capacity,
    accessModes,
    storageClass,
    obj.spec?.volumeAttributesClassName ?? '<unset>',
    ageOf(obj.metadata, now),
    obj.spec?.volumeMode ?? '<unset>',
  ];
}

const firstNonEmpty = (...ss: (string | undefined)[]): string => ss.find((s) => s !== undefined && s.length > 0) ?? '';

export function eventCells(obj: Event, now: Date): unknown[] {
  const firstTimestamp = parseTimestamp(obj.firstTimestamp) === undefined
    ? translateTimestampSince(obj.eventTime, now)
    : translateTimestampSince(obj.firstTimestamp, now);
  let lastTimestamp = parseTimestamp(obj.lastTimestamp) === undefined ? firstTimestamp : translateTimestampSince(obj.lastTimestamp, now);
  let count = obj.count ?? 0;
  if (obj.series) {
    lastTimestamp = translateTimestampSince(obj.series.lastObservedTime, now);
    count = obj.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }
  const involved = obj.involvedObject;
  const kind = (involved.kind ?? '').toLowerCase();
  const target = involved.name ? `${kind}/${involved.name}` : kind;
  const component = firstNonEmpty(obj.source?.component, obj.reportingComponent);
  const instance = firstNonEmpty(obj.source?.host, obj.reportingInstance);
  const source = instance.length === 0 ? component : `${component}, ${instance}`;
  return [
    lastTimestamp,
    obj.type ?? '',
    obj.reason ?? '',
    target,
    involved.fieldPath ?? '',
    source,
    (obj.message ?? '').trim(),
    firstTimestamp,
    count,
    nameOf(obj.metadata),
  ];
}

function subjectsStrings(subjects: readonly Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export function roleBindingCells(obj: RoleBinding | ClusterRoleBinding, now: Date): unknown[] {
  const [users, groups, sas] = subjectsStrings(obj.subjects);
  return [nameOf(obj.metadata), `${obj.roleRef.kind}/${obj.roleRef.name}`, ageOf(obj.metadata, now), users, groups, sas];
}

export function componentStatusCells(obj: ComponentStatus): unknown[] {
  let status = 'Unknown';
  let message = '';
  let error = '';
  const healthy = (obj.conditions ?? []).find((c) => c.type === 'Healthy');
  if (healthy) {
    status = healthy.status === 'True' ? 'Healthy' : 'Unhealthy';
    message = healthy.message ?? '';
    error = healthy.error ?? '';
  }
  return [nameOf(obj.metadata), status, message, error];
}

export function deploymentCells(obj: Deployment, now: Date): unknown[] {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  const selector = labelSelectorString(obj.spec?.selector);
  return [
    nameOf(obj.metadata),
    `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
    obj.status?.updatedReplicas ?? 0,
    obj.status?.availableReplicas ?? 0,
    ageOf(obj.metadata, now),
    names,
    images,
    selector ?? '<invalid>',
  ];
}

/** Quantity.String() of an optional quantity; "<nil>" as Go prints a nil *Quantity. */
const q = (v: string | number | undefined): string => (v === undefined ? '<nil>' : quantityString(v));

function formatHPAMetrics(specs: readonly MetricSpec[], statuses: readonly MetricStatus[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  const max = 2;
  specs.forEach((spec, i) => {
    const status = statuses[i];
    switch (spec.type) {
      case 'External': {
        const target = spec.external?.target;
        if (target?.averageValue !== undefined) {
          const cur = status?.external?.current.averageValue;
          list.push(`${cur !== undefined ? q(cur) : '<unknown>'}/${q(target.averageValue)} (avg)`);
        } else {
          const cur = status?.external ? q(status.external.current.value) : '<unknown>';
          list.push(`${cur}/${q(target?.value)}`);
        }
        break;
      }
      case 'Pods': {
        const cur = status?.pods ? q(status.pods.current.averageValue) : '<unknown>';
        list.push(`${cur}/${q(spec.pods?.target.averageValue)}`);
        break;
      }
      case 'Object': {
        const target = spec.object?.target;
        if (target?.averageValue !== undefined) {
          const cur = status?.object?.current.averageValue;
          list.push(`${cur !== undefined ? q(cur) : '<unknown>'}/${q(target.averageValue)} (avg)`);
        } else {
          const cur = status?.object ? q(status.object.current.value) : '<unknown>';
          list.push(`${cur}/${q(target?.value)}`);
        }
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const current = spec.type === 'Resource' ? status?.resource : status?.containerResource;
        const target = source?.target;
        const resourceName = source?.name ?? '';
        if (target?.averageValue !== undefined) {
          const cur = current ? q(current.current.averageValue) : '<unknown>';
          list.push(`${resourceName}: ${cur}/${q(target.averageValue)}`);
        } else {
          const utilization = current?.current.averageUtilization;
          const cur = utilization !== undefined ? `${utilization}%` : '<unknown>';
          const tgt = target?.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>';
          list.push(`${resourceName}: ${cur}/${tgt}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const count = specs.length;
  if (count > max) return `${list.slice(0, max).join(', ')} + ${count - max} more...`;
  return list.join(', ');
}

export function horizontalPodAutoscalerCells(obj: HorizontalPodAutoscaler, now: Date): unknown[] {
  const ref = obj.spec?.scaleTargetRef;
  const minPods = obj.spec?.minReplicas !== undefined ? String(obj.spec.minReplicas) : '<unset>';
  return [
    nameOf(obj.metadata),
    `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
    formatHPAMetrics(obj.spec?.metrics ?? [], obj.status?.currentMetrics ?? []),
    minPods,
    obj.spec?.maxReplicas ?? 0,
    obj.status?.currentReplicas ?? 0,
    ageOf(obj.metadata, now),
  ];
}

export function configMapCells(obj: ConfigMap, now: Date): unknown[] {
  return [nameOf(obj.metadata), Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length, ageOf(obj.metadata, now)];
}

export function networkPolicyCells(obj: NetworkPolicy, now: Date): unknown[] {
  // spec.podSelector is a struct in Go, never nil: an absent one prints as the empty selector.
  return [nameOf(obj.metadata), formatLabelSelector(obj.spec?.podSelector ?? {}), ageOf(obj.metadata, now)];
}

const isDefaultStorageClass = (meta: ObjectMeta | undefined): boolean =>
  meta?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
  meta?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

export function storageClassCells(obj: StorageClass, now: Date): unknown[] {
  let name = nameOf(obj.metadata);
  if (isDefaultStorageClass(obj.metadata)) name += ' (default)';
  return [
    name,
    obj.provisioner,
    obj.reclaimPolicy ?? 'Delete',
    obj.volumeBindingMode ?? 'Immediate',
    obj.allowVolumeExpansion ?? false,
    ageOf(obj.metadata, now),
  ];
}

export function leaseCells(obj: Lease, now: Date): unknown[] {
  return [nameOf(obj.metadata), obj.spec?.holderIdentity ?? '', ageOf(obj.metadata, now)];
}

export function controllerRevisionCells(obj: ControllerRevision, now: Date): unknown[] {
  const ref = (obj.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  let controllerName = '<none>';
  if (ref) {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const groupKind = group === '' ? ref.kind : `${ref.kind}.${group}`;
    controllerName = group === '' && ref.kind === '' ? ref.name : `${groupKind.toLowerCase()}/${ref.name}`;
  }
  return [nameOf(obj.metadata), controllerName, obj.revision, ageOf(obj.metadata, now)];
}

export function resourceQuotaCells(obj: ResourceQuota, now: Date): unknown[] {
  const hard = obj.status?.hard ?? {};
  const used = obj.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const pieces = resource.split('.');
    const w = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
    w.push(`${resource}: ${quantityString(used[resource])}/${quantityString(hard[resource])}`);
  }
  return [nameOf(obj.metadata), ageOf(obj.metadata, now), request.join(', '), limit.join(', ')];
}

export function priorityClassCells(obj: PriorityClass, now: Date): unknown[] {
  return [nameOf(obj.metadata), obj.value, obj.globalDefault ?? false, ageOf(obj.metadata, now), obj.preemptionPolicy ?? ''];
}

export function namespaceCells(obj: Namespace, now: Date): unknown[] {
  return [nameOf(obj.metadata), obj.status?.phase ?? '', ageOf(obj.metadata, now)];
}

export function secretCells(obj: Secret, now: Date): unknown[] {
  return [nameOf(obj.metadata), obj.type ?? '', Object.keys(obj.data ?? {}).length, ageOf(obj.metadata, now)];
}

export function serviceAccountCells(obj: ServiceAccount, now: Date): unknown[] {
  return [nameOf(obj.metadata), (obj.secrets ?? []).length, ageOf(obj.metadata, now)];
}
