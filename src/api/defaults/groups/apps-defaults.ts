// SetDefaults_* for apps/v1 after upstream's pkg/apis/apps/v1/defaults.go (v1.32), plus the pod
// template (and, for StatefulSets, volume claim template) defaults the generated defaulters apply.
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../object.js';
import { defaultPodTemplateSpec } from '../core/pod-spec.js';

export function defaultDeployment(obj: KubeObject): void {
  const d = obj as unknown as Deployment;
  const spec = (d.spec ??= { selector: {}, template: {} });
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  if (strategy.type === undefined || strategy.type === '') strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec((spec.template ??= {}));
}

export function defaultReplicaSet(obj: KubeObject): void {
  const rs = obj as unknown as ReplicaSet;
  const spec = (rs.spec ??= { selector: {} });
  spec.replicas ??= 1;
  defaultPodTemplateSpec((spec.template ??= {}));
}

export function defaultDaemonSet(obj: KubeObject): void {
  const ds = obj as unknown as DaemonSet;
  const spec = (ds.spec ??= { selector: {}, template: {} });
  const strategy = (spec.updateStrategy ??= {});
  if (strategy.type === undefined || strategy.type === '') strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
}

export function defaultStatefulSet(obj: KubeObject): void {
  const sts = obj as unknown as StatefulSet;
  const spec = (sts.spec ??= { selector: {}, serviceName: '', template: {} });
  if (spec.podManagementPolicy === undefined || spec.podManagementPolicy === '') spec.podManagementPolicy = 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  if (strategy.type === undefined || strategy.type === '') {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= { partition: 0 };
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate !== undefined) strategy.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (retention.whenDeleted === undefined || retention.whenDeleted === '') retention.whenDeleted = 'Retain';
  if (retention.whenScaled === undefined || retention.whenScaled === '') retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
  for (const claim of spec.volumeClaimTemplates ?? []) {
    // SetDefaults_PersistentVolumeClaim and SetDefaults_PersistentVolumeClaimSpec from core/v1.
    const claimSpec = (claim.spec ??= {});
    claimSpec.volumeMode ??= 'Filesystem';
    const mutable = claim as { status?: { phase?: string } };
    const status = (mutable.status ??= {});
    if (status.phase === undefined || status.phase === '') status.phase = 'Pending';
  }
}
