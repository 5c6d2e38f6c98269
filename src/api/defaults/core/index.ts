// Defaulters for the core/v1 kinds (upstream's SetDefaults_* in pkg/apis/core/v1), keyed by "<storage group>/<Kind>".
import type {
  Endpoints,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodTemplate,
  ReplicationController,
  Secret,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../object.js';
import { defaultPod, defaultPodTemplateSpec } from './pod-spec.js';
import { defaultService } from './service.js';

function as<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

function defaultReplicationController(rc: ReplicationController): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels !== undefined && labels !== null) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    const meta = (rc.metadata ??= {});
    if (Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...labels };
  }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultPodTemplateSpec(spec.template);
}

function defaultNamespace(ns: Namespace): void {
  const meta = (ns.metadata ??= {});
  if ((meta.name ?? '') !== '') meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name ?? '' };
  const status = (ns.status ??= {});
  if ((status.phase ?? '') === '') status.phase = 'Active';
  // The namespace strategy's PrepareForCreate adds the "kubernetes" finalizer to new namespaces.
  if (meta.creationTimestamp === undefined) {
    const spec = (ns.spec ??= {});
    if (!(spec.finalizers ?? []).includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
  }
}

function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def = (item.default ??= {});
    const req = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) if (!Object.hasOwn(def, k)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!Object.hasOwn(req, k)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!Object.hasOwn(req, k)) req[k] = v;
  }
}

export const coreDefaulters: Readonly<Record<string, (obj: KubeObject) => void>> = {
  '/Pod': (obj) => {
    const pod = as<Pod>(obj);
    defaultPod((pod.spec ??= { containers: [] }));
  },
  '/PodTemplate': (obj) => defaultPodTemplateSpec(as<PodTemplate>(obj).template),
  '/ReplicationController': (obj) => defaultReplicationController(as<ReplicationController>(obj)),
  '/Service': (obj) => defaultService(as<Service>(obj)),
  '/Secret': (obj) => {
    const s = as<Secret>(obj);
    if ((s.type ?? '') === '') s.type = 'Opaque';
    // Upstream's v1 -> internal conversion: stringData is written into data (winning over the same key there) and
    // never stored or served.
    if (s.stringData !== undefined && s.stringData !== null) {
      const data = (s.data ??= {});
      for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
      delete s.stringData;
    }
  },
  '/Namespace': (obj) => defaultNamespace(as<Namespace>(obj)),
  '/Node': (obj) => {
    const status = as<Node>(obj).status;
    if (status !== undefined && status.allocatable === undefined && status.capacity !== undefined) status.allocatable = { ...status.capacity };
  },
  '/PersistentVolume': (obj) => {
    const pv = as<PersistentVolume & { status?: { phase?: string } }>(obj);
    const status = (pv.status ??= {});
    if ((status.phase ?? '') === '') status.phase = 'Pending';
    const spec = (pv.spec ??= {});
    if ((spec.persistentVolumeReclaimPolicy ?? '') === '') spec.persistentVolumeReclaimPolicy = 'Retain';
    if (spec.volumeMode === undefined || spec.volumeMode === null) spec.volumeMode = 'Filesystem';
  },
  '/PersistentVolumeClaim': (obj) => {
    const pvc = as<PersistentVolumeClaim & { status?: { phase?: string } }>(obj);
    const status = (pvc.status ??= {});
    if ((status.phase ?? '') === '') status.phase = 'Pending';
    const spec = (pvc.spec ??= {});
    if (spec.volumeMode === undefined || spec.volumeMode === null) spec.volumeMode = 'Filesystem';
  },
  '/Endpoints': (obj) => {
    for (const ss of as<Endpoints>(obj).subsets ?? []) for (const p of ss.ports ?? []) if ((p.protocol ?? '') === '') p.protocol = 'TCP';
  },
  '/LimitRange': (obj) => defaultLimitRange(as<LimitRange>(obj)),
};
