import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../resources.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from './decode-kubernetes-protobuf.js';
import { kubernetesProtobufRoot } from './kubernetes-protobuf-root.js';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function packageOf(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return group === '' ? `k8s.io.api.core.${version}` : `k8s.io.api.${group?.split('.')[0]}.${version}`;
}

/** Encodes `fields` (in protobuf shape) as the object's message and wraps it as client-go does. */
function envelope(apiVersion: string, kind: string, fields: Record<string, unknown>, typeName = `${packageOf(apiVersion)}.${kind}`): Buffer {
  const root = kubernetesProtobufRoot();
  const type = root.lookupType(typeName);
  const raw = type.encode(type.fromObject(fields)).finish();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const body = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([magic, body]);
}

/** ObjectMeta as gogo writes it: every non-pointer field present, creationTimestamp an empty Time. */
function meta(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, generateName: '', namespace: '', selfLink: '', uid: '', resourceVersion: '', generation: 0, creationTimestamp: {}, ...extra };
}

const intOrString = (v: number | string): Record<string, unknown> => (typeof v === 'number' ? { type: 0, intVal: v, strVal: '' } : { type: 1, intVal: 0, strVal: v });
const quantity = (s: string): Record<string, unknown> => ({ string: s });

describe('decodeKubernetesProtobuf', () => {
  test('a ConfigMap decodes to its JSON form, empty metadata fields dropped and creationTimestamp null', () => {
    const body = envelope('v1', 'ConfigMap', {
      metadata: meta('cfg', { namespace: 'default', labels: { app: 'web' } }),
      data: { 'a.txt': 'hello', b: '' },
      binaryData: { bin: Buffer.from([0, 1, 2]) },
      immutable: false,
    });
    const decoded = decodeKubernetesProtobuf(body);
    assert.equal(decoded.apiVersion, 'v1');
    assert.equal(decoded.kind, 'ConfigMap');
    assert.deepEqual(decoded.object, {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cfg', namespace: 'default', creationTimestamp: null, labels: { app: 'web' } },
      immutable: false,
      data: { 'a.txt': 'hello', b: '' },
      binaryData: { bin: 'AAEC' },
    });
  });

  test('a Secret keeps binary data as base64 and stringData as text', () => {
    const body = envelope('v1', 'Secret', {
      metadata: meta('s'),
      data: { key: Buffer.from([0xff, 0xfe, 0x00, 0x80]), empty: Buffer.alloc(0) },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's', creationTimestamp: null },
      data: { key: '//4AgA==', empty: '' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
  });

  test('a Namespace keeps its empty spec and status, as Go marshals value structs', () => {
    const body = envelope('v1', 'Namespace', { metadata: meta('team-a'), spec: { finalizers: ['kubernetes'] }, status: { phase: '' } });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: { finalizers: ['kubernetes'] },
      status: {},
    });
  });

  test('a Deployment with a full pod template decodes ports, env, quantities, probes, tolerations and affinity', () => {
    const container = {
      name: 'web',
      image: 'nginx:1.27',
      command: [],
      args: ['--port', '8080'],
      workingDir: '',
      ports: [{ name: 'http', hostPort: 0, containerPort: 8080, protocol: 'TCP', hostIP: '' }],
      envFrom: [{ prefix: 'CFG_', configMapRef: { localObjectReference: { name: 'settings' }, optional: true } }],
      env: [
        { name: 'MODE', value: 'prod' },
        { name: 'POD_IP', value: '', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
        { name: 'PASSWORD', value: '', valueFrom: { secretKeyRef: { localObjectReference: { name: 'db' }, key: 'password', optional: false } } },
        { name: 'MEM', value: '', valueFrom: { resourceFieldRef: { containerName: '', resource: 'limits.memory', divisor: quantity('1Mi') } } },
      ],
      resources: { limits: { cpu: quantity('500m'), memory: quantity('256Mi') }, requests: { cpu: quantity('100m') } },
      volumeMounts: [{ name: 'config', readOnly: true, mountPath: '/etc/app', subPath: '', subPathExpr: '' }],
      livenessProbe: {
        handler: { httpGet: { path: '/healthz', port: intOrString(8080), host: '', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] } },
        initialDelaySeconds: 5,
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
      readinessProbe: {
        handler: { tcpSocket: { port: intOrString('http'), host: '' } },
        initialDelaySeconds: 0,
        timeoutSeconds: 0,
        periodSeconds: 0,
        successThreshold: 0,
        failureThreshold: 0,
        terminationGracePeriodSeconds: 0,
      },
      startupProbe: { handler: { exec: { command: ['cat', '/tmp/ready'] } }, failureThreshold: 30 },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
      securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      stdin: false,
      stdinOnce: false,
      tty: false,
    };
    const podSpec = {
      volumes: [
        { name: 'config', volumeSource: { configMap: { localObjectReference: { name: 'settings' }, items: [{ key: 'a', path: 'a.txt', mode: 0o400 }], defaultMode: 420 } } },
        { name: 'scratch', volumeSource: { emptyDir: { medium: '', sizeLimit: quantity('1Gi') } } },
      ],
      containers: [container],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      serviceAccountName: 'web',
      serviceAccount: '',
      automountServiceAccountToken: false,
      nodeName: '',
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      securityContext: { fsGroup: 2000, supplementalGroups: [3000] },
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', value: '', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
      enableServiceLinks: true,
    };
    const body = envelope('apps/v1', 'Deployment', {
      metadata: meta('web', { namespace: 'prod', annotations: { note: 'x' } }),
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: meta('', { labels: { app: 'web' } }), spec: podSpec },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: intOrString(0), maxSurge: intOrString('25%') } },
        minReadySeconds: 0,
        revisionHistoryLimit: 10,
        paused: false,
        progressDeadlineSeconds: 600,
      },
      status: { observedGeneration: 0, replicas: 0 },
    });
    const { object } = decodeKubernetesProtobuf(body);
    assert.deepEqual(object, {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'prod', creationTimestamp: null, annotations: { note: 'x' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [
              { name: 'config', configMap: { name: 'settings', items: [{ key: 'a', path: 'a.txt', mode: 256 }], defaultMode: 420 } },
              { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
            ],
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                args: ['--port', '8080'],
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings', optional: true } }],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
                  { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: false } } },
                  { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
                ],
                resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } },
                volumeMounts: [{ name: 'config', readOnly: true, mountPath: '/etc/app' }],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] },
                  initialDelaySeconds: 5,
                  timeoutSeconds: 1,
                  periodSeconds: 10,
                  successThreshold: 1,
                  failureThreshold: 3,
                },
                readinessProbe: { tcpSocket: { port: 'http' }, terminationGracePeriodSeconds: 0 },
                startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30 },
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
                imagePullPolicy: 'IfNotPresent',
                securityContext: { capabilities: { drop: ['ALL'] }, runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false },
              },
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            serviceAccountName: 'web',
            automountServiceAccountToken: false,
            securityContext: { supplementalGroups: [3000], fsGroup: 2000 },
            schedulerName: 'default-scheduler',
            tolerations: [
              { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
              { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
            ],
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
                },
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
              },
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
              },
            },
            enableServiceLinks: true,
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
  });

  test('a CronJob keeps explicit zeros and false on pointer fields and formats times as RFC 3339', () => {
    const body = envelope('batch/v1', 'CronJob', {
      metadata: meta('nightly', { creationTimestamp: { seconds: 1700000000, nanos: 500000000 } }),
      spec: {
        schedule: '0 3 * * *',
        timeZone: 'Europe/Paris',
        concurrencyPolicy: 'Forbid',
        suspend: false,
        successfulJobsHistoryLimit: 0,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: meta(''),
          spec: {
            backoffLimit: 0,
            ttlSecondsAfterFinished: 0,
            template: { metadata: meta(''), spec: { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox', command: ['date'] }] } },
          },
        },
      },
      status: { active: [{ kind: 'Job', namespace: 'default', name: 'nightly-1', uid: 'u1', apiVersion: 'batch/v1' }], lastScheduleTime: { seconds: 0, nanos: 0 } },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'nightly', creationTimestamp: '2023-11-14T22:13:20Z' },
      spec: {
        schedule: '0 3 * * *',
        timeZone: 'Europe/Paris',
        concurrencyPolicy: 'Forbid',
        suspend: false,
        jobTemplate: {
          metadata: { creationTimestamp: null },
          spec: {
            backoffLimit: 0,
            template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'job', image: 'busybox', command: ['date'] }], restartPolicy: 'OnFailure' } },
            ttlSecondsAfterFinished: 0,
          },
        },
        successfulJobsHistoryLimit: 0,
        failedJobsHistoryLimit: 1,
      },
      status: { active: [{ kind: 'Job', namespace: 'default', name: 'nightly-1', uid: 'u1', apiVersion: 'batch/v1' }], lastScheduleTime: '1970-01-01T00:00:00Z' },
    });
  });

  test('a Service decodes targetPort as a number or a name and drops the empty clusterIP', () => {
    const body = envelope('v1', 'Service', {
      metadata: meta('api', { labels: { app: 'api' } }),
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: intOrString(8080), nodePort: 0 },
          { name: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c', port: 9090, targetPort: intOrString('grpc'), nodePort: 0 },
        ],
        selector: { app: 'api' },
        clusterIP: '',
        type: 'ClusterIP',
        sessionAffinity: 'None',
        externalName: '',
        externalTrafficPolicy: '',
        healthCheckNodePort: 0,
        publishNotReadyAddresses: false,
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'api', creationTimestamp: null, labels: { app: 'api' } },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c', port: 9090, targetPort: 'grpc' },
        ],
        selector: { app: 'api' },
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
  });

  test('an Eviction carries its DeleteOptions with a zero grace period kept', () => {
    const body = envelope('policy/v1', 'Eviction', {
      metadata: meta('web-0', { namespace: 'prod' }),
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'abc', resourceVersion: '42' }, dryRun: ['All'] },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: 'web-0', namespace: 'prod', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'abc', resourceVersion: '42' }, dryRun: ['All'] },
    });
  });

  test('DeleteOptions sent under any group version decode as meta/v1 DeleteOptions', () => {
    const body = envelope('apps/v1', 'DeleteOptions', { propagationPolicy: 'Foreground', orphanDependents: false }, 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    assert.deepEqual(decodeKubernetesProtobuf(body).object, { kind: 'DeleteOptions', apiVersion: 'apps/v1', orphanDependents: false, propagationPolicy: 'Foreground' });
  });

  test('a Scale keeps its replica count', () => {
    const body = envelope('autoscaling/v1', 'Scale', { metadata: meta('web', { namespace: 'prod', resourceVersion: '7' }), spec: { replicas: 5 }, status: { replicas: 0, selector: '' } });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'prod', resourceVersion: '7', creationTimestamp: null },
      spec: { replicas: 5 },
      status: { replicas: 0 },
    });
  });

  test('a SubjectAccessReview turns extra values into string arrays', () => {
    const body = envelope('authorization.k8s.io/v1', 'SubjectAccessReview', {
      metadata: meta(''),
      spec: {
        resourceAttributes: { namespace: 'default', verb: 'get', group: '', version: '', resource: 'pods', subresource: '', name: '' },
        user: 'alice',
        groups: ['devs'],
        extra: { scopes: { items: ['a', 'b'] } },
        uid: '',
      },
      status: { allowed: false, denied: false, reason: '', evaluationError: '' },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' }, user: 'alice', groups: ['devs'], extra: { scopes: ['a', 'b'] } },
      status: { allowed: false },
    });
  });

  test('a TokenRequest keeps its expiration and bound object reference', () => {
    const body = envelope('authentication.k8s.io/v1', 'TokenRequest', {
      metadata: meta('default'),
      spec: { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u' } },
      status: { token: '', expirationTimestamp: {} },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'default', creationTimestamp: null },
      spec: { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u' } },
      status: { expirationTimestamp: null },
    });
  });

  test('an events.k8s.io Event formats MicroTime with microseconds', () => {
    const body = envelope('events.k8s.io/v1', 'Event', {
      metadata: meta('e1', { namespace: 'default' }),
      eventTime: { seconds: 1700000000, nanos: 123456789 },
      series: { count: 2, lastObservedTime: { seconds: 1700000060, nanos: 0 } },
      reportingController: 'k8ts',
      reportingInstance: 'k8ts-1',
      action: 'Scheduled',
      reason: 'Scheduled',
      regarding: { kind: 'Pod', namespace: 'default', name: 'p' },
      note: 'ok',
      type: 'Normal',
      deprecatedFirstTimestamp: {},
      deprecatedLastTimestamp: {},
      deprecatedCount: 0,
    });
    const { object } = decodeKubernetesProtobuf(body);
    assert.equal(object['eventTime'], '2023-11-14T22:13:20.123456Z');
    assert.deepEqual(object['series'], { count: 2, lastObservedTime: '2023-11-14T22:14:20.000000Z' });
    assert.equal(object['deprecatedFirstTimestamp'], null);
    assert.equal(object['deprecatedCount'], undefined);
  });

  test('RawExtension and FieldsV1 bytes are parsed as JSON', () => {
    const body = envelope('apps/v1', 'ControllerRevision', {
      metadata: meta('rev', {
        managedFields: [
          { manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: { seconds: 86400, nanos: 0 }, fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:data":{}}') } },
        ],
      }),
      data: { raw: Buffer.from('{"spec":{"template":{"x":1}}}') },
      revision: 3,
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: 'ControllerRevision',
      apiVersion: 'apps/v1',
      metadata: {
        name: 'rev',
        creationTimestamp: null,
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '1970-01-02T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
      },
      data: { spec: { template: { x: 1 } } },
      revision: 3,
    });
  });

  test('an Ingress class parameters reference and rule value are spelled as in JSON', () => {
    const body = envelope('networking.k8s.io/v1', 'Ingress', {
      metadata: meta('ing'),
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example', ingressRuleValue: { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { name: '', number: 80 } } } }] } } }],
      },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object['spec'], {
      ingressClassName: 'nginx',
      rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }],
    });
  });

  test('a body without the k8s magic prefix is rejected', () => {
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"ConfigMap"}')), {
      name: 'ProtobufDecodeError',
      message: 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    });
  });

  test('an unknown kind is rejected with the scheme error', () => {
    const root = kubernetesProtobufRoot();
    const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const body = Buffer.concat([magic, unknown.encode(unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'Widget' }, raw: Buffer.alloc(0) })).finish()]);
    assert.throws(() => decodeKubernetesProtobuf(body), (e: unknown) => e instanceof ProtobufDecodeError && e.message.startsWith('no kind "Widget" is registered for version "v1"'));
  });

  test('a nested type name is not accepted as a kind', () => {
    const body = envelope('v1', 'PodSpec', { restartPolicy: 'Always' });
    assert.throws(() => decodeKubernetesProtobuf(body), /no kind "PodSpec" is registered/);
  });

  test('malformed object bytes are rejected', () => {
    const root = kubernetesProtobufRoot();
    const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const raw = Buffer.from([0x0a, 0x40, 0x0a, 0x01]);
    const body = Buffer.concat([magic, unknown.encode(unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw })).finish()]);
    assert.throws(() => decodeKubernetesProtobuf(body), (e: unknown) => e instanceof ProtobufDecodeError && e.message.startsWith('unable to decode protobuf ConfigMap:'));
  });

  test('a truncated envelope is rejected', () => {
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x20, 0x01])), /unable to decode protobuf envelope/);
  });

  test('a missing kind is rejected', () => {
    assert.throws(() => decodeKubernetesProtobuf(magic), /Object 'Kind' is missing/);
  });

  test('the whole schema resolves', () => {
    assert.doesNotThrow(() => kubernetesProtobufRoot().resolveAll());
  });

  test('every kind k8ts stores has a message', () => {
    // The metrics.k8s.io kinds are read-only (metrics-server's, served in its place) and have no message here.
    for (const r of resources.filter((x) => x.aggregated !== true)) {
      const apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`;
      const body = envelope(apiVersion, r.kind, { metadata: meta('x') });
      assert.deepEqual(decodeKubernetesProtobuf(body).object['metadata'], { name: 'x', creationTimestamp: null }, `${apiVersion} ${r.kind}`);
    }
  });
});
