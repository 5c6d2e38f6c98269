import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fieldErrorMessage, type FieldError } from '../../../machinery/field-errors.js';
import { fromStorageVersion, toStorageVersion } from '../../conversion/index.js';
import { applyDefaults } from '../../defaults/index.js';
import { prepareJobForCreate } from '../../defaults/groups/index.js';
import type { KubeObject, StoredObject } from '../../object.js';
import { findResource, storageResourceOf, type ResourceInfo } from '../../resources.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../index.js';

function resource(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r);
  return r;
}

function messages(errs: readonly FieldError[]): string[] {
  return errs.map(fieldErrorMessage);
}

/** What the apiserver does on create: convert, default, then validate in the storage version. */
function admit(obj: KubeObject, r: ResourceInfo): { stored: StoredObject; errors: string[] } {
  const storage = storageResourceOf(r);
  const converted = toStorageVersion(obj, r);
  const stored: StoredObject = { ...converted, metadata: { namespace: storage.namespaced ? 'default' : undefined, ...(converted.metadata ?? {}) } };
  applyDefaults(stored, storage);
  return { stored, errors: messages(validateCreate(stored, storage)) };
}

function seed(file: string): KubeObject {
  const parsed: unknown = parse(readFileSync(`/work/shared/seed-manifests/${file}`, 'utf8'));
  assert.ok(typeof parsed === 'object' && parsed !== null);
  return parsed as KubeObject;
}

const deployments = resource('apps', 'v1', 'deployments');
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

function deployment(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec };
}

describe('the tutorial manifests in extensions/v1beta1', () => {
  test('the kuard ReplicaSet without a selector converts, defaults and validates with no errors', () => {
    const { stored, errors } = admit(seed('kuard-rs.yaml'), resource('extensions', 'v1beta1', 'replicasets'));
    assert.deepEqual(errors, []);
    assert.equal(stored.apiVersion, 'apps/v1');
    assert.deepEqual((stored['spec'] as { selector: unknown }).selector, { matchLabels: { app: 'kuard', version: '2' } });
  });

  test('the exported nginx Deployment converts, defaults and validates with no errors and reads back', () => {
    const r = resource('extensions', 'v1beta1', 'deployments');
    const { stored, errors } = admit(seed('nginx-deployments.yaml'), r);
    assert.deepEqual(errors, []);
    const back = fromStorageVersion(stored, r);
    assert.equal(back.apiVersion, 'extensions/v1beta1');
    assert.deepEqual((back['spec'] as { strategy: unknown }).strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
  });

  test('the StatefulSet with a capitalised serviceName is accepted (the pods fail later, as upstream)', () => {
    const docs = readFileSync('/work/shared/seed-manifests/bad-statefulset.yaml', 'utf8').split(/^---$/m);
    const sts = parse(docs[1] ?? '') as KubeObject;
    assert.deepEqual(admit(sts, resource('apps', 'v1', 'statefulsets')).errors, []);
  });
});

describe('Deployment validation', () => {
  test('a selector that does not match the template labels is rejected with upstream message and path', () => {
    const { errors } = admit(deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'b' }) }), deployments);
    assert.deepEqual(errors, ['spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`']);
  });

  test('a missing selector is required and then matches nothing', () => {
    const { errors } = admit(deployment({ template: template({ app: 'b' }) }), deployments);
    assert.deepEqual(errors, ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`']);
  });

  test('negative replicas and both maxSurge and maxUnavailable 0 are rejected', () => {
    const { errors } = admit(
      deployment({ replicas: -1, selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
      deployments,
    );
    assert.deepEqual(errors, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0', 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  });

  test('percentages above 100% and malformed percentages are rejected', () => {
    const { errors } = admit(
      deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'x', maxUnavailable: '110%' } } }),
      deployments,
    );
    assert.deepEqual(errors, [
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: "x": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": must not be greater than 100%',
    ]);
  });

  test('Recreate with rollingUpdate and an unknown strategy type are rejected', () => {
    const recreate = admit(deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), strategy: { type: 'Recreate', rollingUpdate: {} } }), deployments);
    assert.deepEqual(recreate.errors, ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
    const unknown = admit(deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), strategy: { type: 'Blue' } }), deployments);
    assert.deepEqual(unknown.errors, ['spec.strategy: Unsupported value: {"type":"Blue"}: supported values: "Recreate", "RollingUpdate"']);
  });

  test('progressDeadlineSeconds must exceed minReadySeconds', () => {
    const { errors } = admit(deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), minReadySeconds: 10, progressDeadlineSeconds: 10 }), deployments);
    assert.deepEqual(errors, ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds']);
  });

  test('the selector is immutable on update', () => {
    const { stored } = admit(deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a', v: '1' }) }), deployments);
    const old: StoredObject = { ...stored, metadata: { ...stored.metadata, resourceVersion: '1' } };
    const next = structuredClone(old);
    (next['spec'] as { selector: unknown }).selector = { matchLabels: { v: '1' } };
    assert.deepEqual(messages(validateUpdate(next, old, deployments)), ['spec.selector: Invalid value: {"matchLabels":{"v":"1"}}: field is immutable']);
  });

  test('status updates may not report more ready than existing replicas', () => {
    const { stored } = admit(deployment({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) }), deployments);
    const old: StoredObject = { ...stored, metadata: { ...stored.metadata, resourceVersion: '1' } };
    const next: StoredObject = { ...old, status: { replicas: 1, readyReplicas: 2, availableReplicas: 1 } };
    assert.deepEqual(messages(validateStatusUpdate(next, old, deployments)), ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas']);
  });
});

describe('StatefulSet validation', () => {
  const sts = resource('apps', 'v1', 'statefulsets');
  const base = (): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) },
  });

  test('names must be DNS labels', () => {
    const obj = base();
    obj.metadata = { name: 'db.one' };
    assert.deepEqual(admit(obj, sts).errors, [
      `metadata.name: Invalid value: "db.one": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  test('spec changes other than the allowed fields are forbidden', () => {
    const { stored } = admit(base(), sts);
    const old: StoredObject = { ...stored, metadata: { ...stored.metadata, resourceVersion: '1' } };
    const next = structuredClone(old);
    (next['spec'] as Record<string, unknown>)['serviceName'] = 'other';
    (next['spec'] as Record<string, unknown>)['replicas'] = 5;
    assert.deepEqual(messages(validateUpdate(next, old, sts)), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  test('an unknown podManagementPolicy is rejected', () => {
    const obj = base();
    (obj['spec'] as Record<string, unknown>)['podManagementPolicy'] = 'Random';
    assert.deepEqual(admit(obj, sts).errors, [`spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`]);
  });
});

describe('DaemonSet validation', () => {
  const ds = resource('apps', 'v1', 'daemonsets');
  test('maxSurge and maxUnavailable may not both be non-zero', () => {
    const obj: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } },
    };
    assert.deepEqual(admit(obj, ds).errors, ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
  });
});

describe('Job and CronJob validation', () => {
  const jobs = resource('batch', 'v1', 'jobs');
  const cronjobs = resource('batch', 'v1', 'cronjobs');

  test('a Job with a generated selector is valid', () => {
    const obj: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } };
    const storage = storageResourceOf(jobs);
    const stored: StoredObject = { ...toStorageVersion(obj, jobs), metadata: { name: 'pi', namespace: 'default', uid: 'u-1' } };
    applyDefaults(stored, storage);
    prepareJobForCreate(stored, 'u-1');
    assert.deepEqual(messages(validateCreate(stored, storage)), []);
    assert.deepEqual((stored['spec'] as { selector: unknown }).selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  });

  test('a Job whose pods would restart Always is rejected', () => {
    const obj: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', uid: 'u' }, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } };
    const storage = storageResourceOf(jobs);
    const stored: StoredObject = { ...obj, metadata: { name: 'pi', namespace: 'default', uid: 'u' } };
    applyDefaults(stored, storage);
    prepareJobForCreate(stored, 'u');
    assert.deepEqual(messages(validateCreate(stored, storage)), ['spec.template.spec.restartPolicy: Required value: valid values: ["OnFailure" "Never"]']);
  });

  const cron = (schedule: string, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello' },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...extra },
  });

  test('a valid CronJob passes', () => {
    assert.deepEqual(admit(cron('*/5 * * * *', { timeZone: 'Etc/UTC' }), cronjobs).errors, []);
  });

  test('schedule errors carry the cron parser message', () => {
    assert.deepEqual(admit(cron('* * * *'), cronjobs).errors, ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]']);
    assert.deepEqual(admit(cron('60 * * * *'), cronjobs).errors, ['spec.schedule: Invalid value: "60 * * * *": end of range (60) above maximum (59): 60']);
    assert.deepEqual(admit(cron('TZ=UTC * * * * *'), cronjobs).errors, ['spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  });

  test('unknown time zones are rejected', () => {
    assert.deepEqual(admit(cron('@hourly', { timeZone: 'Mars/Olympus' }), cronjobs).errors, ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  });
});

describe('the other groups', () => {
  test('a RoleBinding subject of an unknown kind is rejected', () => {
    const r = resource('rbac.authorization.k8s.io', 'v1', 'rolebindings');
    const obj: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'Robot', name: 'r2' }] };
    const { stored, errors } = admit(obj, r);
    assert.deepEqual(errors, ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']);
    assert.equal((stored['roleRef'] as { apiGroup: string }).apiGroup, 'rbac.authorization.k8s.io');
  });

  test('an Ingress path must be absolute and have a pathType', () => {
    const r = resource('networking.k8s.io', 'v1', 'ingresses');
    const backend = { service: { name: 'web', port: { number: 80 } } };
    const obj: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'ing' },
      spec: { rules: [{ host: 'example.com', http: { paths: [{ path: 'x', pathType: 'Prefix', backend }, { path: '/', backend }] } }] },
    };
    assert.deepEqual(admit(obj, r).errors, [
      'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
      'spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified',
    ]);
  });

  test('a NetworkPolicy defaults its policyTypes and rejects a peer with nothing in it', () => {
    const r = resource('networking.k8s.io', 'v1', 'networkpolicies');
    const obj: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: {}, egress: [{ to: [{}] }] } };
    const { stored, errors } = admit(obj, r);
    assert.deepEqual((stored['spec'] as { policyTypes: unknown }).policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(errors, ['spec.egress[0].to[0]: Required value: must specify a peer']);
  });

  test('a PodDisruptionBudget may not set both minAvailable and maxUnavailable', () => {
    const r = resource('policy', 'v1', 'poddisruptionbudgets');
    const obj: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb' }, spec: { minAvailable: 1, maxUnavailable: 1 } };
    assert.deepEqual(admit(obj, r).errors, ['spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set']);
  });

  test('an HPA needs maxReplicas of at least minReplicas', () => {
    const r = resource('autoscaling', 'v1', 'horizontalpodautoscalers');
    const obj: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } };
    assert.deepEqual(admit(obj, r).errors, ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  });

  test('a StorageClass defaults reclaimPolicy and volumeBindingMode and needs a provisioner', () => {
    const r = resource('storage.k8s.io', 'v1', 'storageclasses');
    const { stored, errors } = admit({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' } }, r);
    assert.equal(stored['reclaimPolicy'], 'Delete');
    assert.equal(stored['volumeBindingMode'], 'Immediate');
    assert.deepEqual(errors, ['provisioner: Required value']);
  });

  test('a user PriorityClass may not exceed one billion, and system- names are reserved', () => {
    const r = resource('scheduling.k8s.io', 'v1', 'priorityclasses');
    assert.deepEqual(admit({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 2000000000 }, r).errors, [
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
    assert.deepEqual(admit({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-x' }, value: 1 }, r).errors, [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-x is not a known system priority class",
    ]);
  });

  test('a Lease duration must be positive', () => {
    const r = resource('coordination.k8s.io', 'v1', 'leases');
    assert.deepEqual(admit({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } }, r).errors, [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ]);
  });

  test('EndpointSlice addresses must suit the address type, and ports default their protocol', () => {
    const r = resource('discovery.k8s.io', 'v1', 'endpointslices');
    const { stored, errors } = admit({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'] }], ports: [{ port: 80 }] }, r);
    assert.deepEqual(stored['ports'], [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.deepEqual(errors, ['endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
  });
});
