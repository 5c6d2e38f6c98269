import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../object.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { tableColumns, tableRow } from './index.js';

const now = new Date('2024-05-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}): StoredObject['metadata'] => ({
  name, namespace: 'default', creationTimestamp: '2024-05-01T11:58:00Z', ...extra,
});

function res(group: string, version: string, resource: string): ResourceInfo {
  const r = findResource(group, version, resource);
  if (!r) throw new Error(`no resource ${group}/${version}/${resource}`);
  return r;
}

/** The row keyed by column name, so each assertion reads like kubectl -o wide output. */
function row(r: ResourceInfo, obj: StoredObject): Record<string, unknown> {
  const cols = tableColumns(r);
  const cells = tableRow(r, obj, now);
  assert.equal(cells.length, cols.length, `${r.resource}: one cell per column`);
  return Object.fromEntries(cols.map((c, i) => [c.name, cells[i]]));
}

describe('service rows', () => {
  test('print type, cluster IP, <none> external IP and node ports', () => {
    const svc: StoredObject = {
      metadata: meta('web'),
      spec: {
        type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { app: 'web' },
        ports: [{ port: 8080, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
      },
    };
    assert.deepEqual(tableRow(res('', 'v1', 'services'), svc, now), ['web', 'NodePort', '10.96.0.10', '<none>', '8080:30080/TCP,53/UDP', '2m', 'app=web']);
  });

  test('print <pending> for a load balancer without ingress and the ingress IPs once assigned', () => {
    const r = res('', 'v1', 'services');
    const lb = (status: unknown): StoredObject => ({ metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.1'], ports: [] }, status });
    assert.equal(row(r, lb({}))['External-IP'], '<pending>');
    assert.equal(row(r, lb({ loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'a.example' }] } }))['External-IP'], '5.6.7.8,a.example');
    assert.equal(row(r, lb({}))['Port(s)'], '<none>');
  });

  test('print the external name and a headless cluster IP', () => {
    const r = res('', 'v1', 'services');
    const ext = row(r, { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    assert.equal(ext['External-IP'], 'db.example.com');
    assert.equal(ext['Cluster-IP'], '<none>');
    assert.equal(row(r, { metadata: meta('h'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } })['Cluster-IP'], 'None');
  });
});

describe('workload rows', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };

  test('deployments print READY, UP-TO-DATE, AVAILABLE and the selector, also when served as extensions/v1beta1', () => {
    const d: StoredObject = {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    const want = ['web', '2/3', 3, 2, '2m', 'nginx,side', 'nginx:1.25,busybox', 'app=web'];
    assert.deepEqual(tableRow(res('apps', 'v1', 'deployments'), d, now), want);
    assert.deepEqual(tableRow(res('extensions', 'v1beta1', 'deployments'), d, now), want);
    assert.deepEqual(tableColumns(res('extensions', 'v1beta1', 'deployments')).map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
  });

  test('replica sets and replication controllers print DESIRED, CURRENT and READY', () => {
    const rs: StoredObject = { metadata: meta('web-5d'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 2, readyReplicas: 1 } };
    assert.deepEqual(tableRow(res('apps', 'v1', 'replicasets'), rs, now), ['web-5d', 2, 2, 1, '2m', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
    const rc: StoredObject = { metadata: meta('rc'), spec: { replicas: 1, selector: { app: 'web' }, template }, status: { replicas: 0 } };
    assert.deepEqual(tableRow(res('', 'v1', 'replicationcontrollers'), rc, now), ['rc', 1, 0, 0, '2m', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
  });

  test('stateful sets print ready over desired and daemon sets their node counts', () => {
    const sts: StoredObject = { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 1 } };
    assert.deepEqual(tableRow(res('apps', 'v1', 'statefulsets'), sts, now), ['db', '1/3', '2m', 'nginx,side', 'nginx:1.25,busybox']);
    const ds: StoredObject = {
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'a' }] } } },
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
    };
    assert.deepEqual(tableRow(res('apps', 'v1', 'daemonsets'), ds, now), ['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '2m', 'a', 'a', 'app=agent']);
  });

  test('jobs print STATUS, COMPLETIONS and DURATION', () => {
    const r = res('batch', 'v1', 'jobs');
    const job = (spec: Record<string, unknown>, status: Record<string, unknown>, extra: Record<string, unknown> = {}): StoredObject => ({
      metadata: meta('pi', extra),
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } }, ...spec },
      status,
    });
    assert.deepEqual(
      tableRow(r, job({ completions: 1 }, { succeeded: 1, startTime: '2024-05-01T11:58:00Z', completionTime: '2024-05-01T11:58:47Z', conditions: [{ type: 'Complete', status: 'True' }] }), now),
      ['pi', 'Complete', '1/1', '47s', '2m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u'],
    );
    const running = row(r, job({ parallelism: 3 }, { active: 3, startTime: '2024-05-01T11:59:00Z' }));
    assert.deepEqual([running['Status'], running['Completions'], running['Duration']], ['Running', '0/1 of 3', '60s']);
    assert.equal(row(r, job({ completions: 2 }, {}))['Duration'], '');
    assert.equal(row(r, job({ completions: 2, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }))['Status'], 'Suspended');
    assert.equal(row(r, job({ completions: 2 }, { conditions: [{ type: 'Failed', status: 'True' }] }))['Status'], 'Failed');
    assert.equal(row(r, job({ completions: 2 }, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }))['Status'], 'Terminating');
  });

  test('cron jobs print schedule, time zone, suspend, active jobs and last schedule', () => {
    const cj: StoredObject = {
      metadata: meta('hello'),
      spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } } },
      status: { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-05-01T11:59:00Z' },
    };
    assert.deepEqual(tableRow(res('batch', 'v1', 'cronjobs'), cj, now), ['hello', '*/1 * * * *', '<none>', 'False', 1, '60s', '2m', 'hello', 'busybox', '<none>']);
  });

  test('horizontal pod autoscalers print reference, targets and replica bounds, also as autoscaling/v1', () => {
    const hpa: StoredObject = {
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1024Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        ],
      },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30 } } }] },
    };
    const want = ['web', 'Deployment/web', 'cpu: 30%/80%, memory: <unknown>/1Gi + 1 more...', '1', 10, 2, '2m'];
    assert.deepEqual(tableRow(res('autoscaling', 'v2', 'horizontalpodautoscalers'), hpa, now), want);
    assert.deepEqual(tableRow(res('autoscaling', 'v1', 'horizontalpodautoscalers'), hpa, now), want);
    assert.equal(row(res('autoscaling', 'v2', 'horizontalpodautoscalers'), { metadata: meta('x'), spec: { maxReplicas: 3 } })['Targets'], '<none>');
  });

  test('pod disruption budgets print N/A for the unset bound', () => {
    const pdb: StoredObject = { metadata: meta('pdb'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } };
    assert.deepEqual(tableRow(res('policy', 'v1', 'poddisruptionbudgets'), pdb, now), ['pdb', '50%', 'N/A', 1, '2m']);
  });

  test('controller revisions print their controller as kind.group/name', () => {
    const cr: StoredObject = {
      metadata: meta('web-7c', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }),
      revision: 2,
      data: {},
    };
    assert.deepEqual(tableRow(res('apps', 'v1', 'controllerrevisions'), cr, now), ['web-7c', 'statefulset.apps/web', 2, '2m']);
    assert.equal(row(res('apps', 'v1', 'controllerrevisions'), { metadata: meta('x'), revision: 1 })['Controller'], '<none>');
  });

  test('pod templates print containers, images and pod labels', () => {
    const pt: StoredObject = { metadata: meta('t'), template };
    assert.deepEqual(tableRow(res('', 'v1', 'podtemplates'), pt, now), ['t', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
  });
});

describe('cluster rows', () => {
  test('nodes print Ready, roles, version and addresses', () => {
    const node: StoredObject = {
      metadata: { name: 'n1', creationTimestamp: '2024-04-30T12:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Ubuntu 24.04', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://1.7' },
      },
    };
    assert.deepEqual(tableRow(res('', 'v1', 'nodes'), node, now), [
      'n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '24h', 'v1.32.0', '192.168.1.10', '<none>', 'Ubuntu 24.04', '6.8.0', 'containerd://1.7',
    ]);
    const bare = row(res('', 'v1', 'nodes'), { metadata: { name: 'n2' } });
    assert.deepEqual([bare['Status'], bare['Roles'], bare['Age'], bare['OS-Image']], ['Unknown', '<none>', '<unknown>', '<unknown>']);
    assert.equal(row(res('', 'v1', 'nodes'), { metadata: { name: 'n3' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })['Status'], 'NotReady');
  });

  test('namespaces print their phase and component statuses their health', () => {
    assert.deepEqual(tableRow(res('', 'v1', 'namespaces'), { metadata: { name: 'dev', creationTimestamp: '2024-05-01T11:58:00Z' }, status: { phase: 'Active' } }, now), ['dev', 'Active', '2m']);
    const cs: StoredObject = { metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] };
    assert.deepEqual(tableRow(res('', 'v1', 'componentstatuses'), cs, now), ['etcd-0', 'Healthy', 'ok', '']);
    assert.deepEqual(tableColumns(res('', 'v1', 'componentstatuses')).map((c) => c.name), ['Name', 'Status', 'Message', 'Error']);
  });

  test('events print LAST SEEN, TYPE, REASON, OBJECT and MESSAGE, with the wide columns after', () => {
    const ev: StoredObject = {
      metadata: meta('web.17a'),
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled', message: ' Successfully pulled image \n', type: 'Normal', count: 3,
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2024-05-01T11:50:00Z', lastTimestamp: '2024-05-01T11:59:00Z',
    };
    const want = ['60s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, n1', 'Successfully pulled image', '10m', 3, 'web.17a'];
    assert.deepEqual(tableRow(res('', 'v1', 'events'), ev, now), want);
    assert.deepEqual(tableRow(res('events.k8s.io', 'v1', 'events'), ev, now), want);
    assert.deepEqual(tableColumns(res('', 'v1', 'events')).filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  });

  test('events from the new API fall back to event time, series and the reporting controller', () => {
    const ev: StoredObject = {
      metadata: meta('e'),
      involvedObject: { kind: 'Node' },
      eventTime: '2024-05-01T11:40:00.000000Z', series: { count: 4, lastObservedTime: '2024-05-01T11:55:00.000000Z' },
      reportingComponent: 'scheduler', reportingInstance: 'sched-1', type: 'Warning', reason: 'X', message: 'm',
    };
    assert.deepEqual(tableRow(res('', 'v1', 'events'), ev, now), ['5m', 'Warning', 'X', 'node', '', 'scheduler, sched-1', 'm', '20m', 4, 'e']);
    const single = row(res('', 'v1', 'events'), { metadata: meta('s'), involvedObject: {}, eventTime: '2024-05-01T11:59:00.000000Z' });
    assert.deepEqual([single['Last Seen'], single['Count']], ['60s', 1]);
  });

  test('persistent volumes and claims print capacity, access modes, class and phase', () => {
    const pv: StoredObject = {
      metadata: { name: 'pv1', creationTimestamp: '2024-05-01T11:58:00Z' },
      spec: { capacity: { storage: '1024Mi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'fast', claimRef: { namespace: 'default', name: 'data' }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    };
    assert.deepEqual(tableRow(res('', 'v1', 'persistentvolumes'), pv, now), ['pv1', '1Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'fast', '<unset>', '', '2m', 'Filesystem']);
    const pvc: StoredObject = {
      metadata: meta('data'),
      spec: { volumeName: 'pv1', storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    };
    assert.deepEqual(tableRow(res('', 'v1', 'persistentvolumeclaims'), pvc, now), ['data', 'Bound', 'pv1', '1Gi', 'RWO', 'fast', '<unset>', '2m', '<unset>']);
    const pending = row(res('', 'v1', 'persistentvolumeclaims'), { metadata: meta('p', { deletionTimestamp: '2024-05-01T11:59:00Z' }), spec: {}, status: { phase: 'Pending' } });
    assert.deepEqual([pending['Status'], pending['Capacity'], pending['Access Modes']], ['Terminating', '', '']);
  });

  test('storage classes mark the default class and print defaults for unset policies', () => {
    const sc: StoredObject = { metadata: { name: 'standard', creationTimestamp: '2024-05-01T11:58:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path' };
    assert.deepEqual(tableRow(res('storage.k8s.io', 'v1', 'storageclasses'), sc, now), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', false, '2m']);
  });

  test('priority classes print value, global default and preemption policy', () => {
    const pc: StoredObject = { metadata: { name: 'high', creationTimestamp: '2024-05-01T11:58:00Z' }, value: 1000, preemptionPolicy: 'PreemptLowerPriority' };
    assert.deepEqual(tableRow(res('scheduling.k8s.io', 'v1', 'priorityclasses'), pc, now), ['high', 1000, false, '2m', 'PreemptLowerPriority']);
  });
});

describe('config and networking rows', () => {
  test('config maps and secrets count their data keys', () => {
    assert.deepEqual(tableRow(res('', 'v1', 'configmaps'), { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now), ['cm', 3, '2m']);
    assert.deepEqual(tableRow(res('', 'v1', 'secrets'), { metadata: meta('s'), type: 'Opaque', data: { a: 'MQ==' } }, now), ['s', 'Opaque', 1, '2m']);
    assert.deepEqual(tableRow(res('', 'v1', 'serviceaccounts'), { metadata: meta('default') }, now), ['default', 0, '2m']);
  });

  test('endpoints print up to three host:port pairs and how many more', () => {
    const ep: StoredObject = {
      metadata: meta('web'),
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }],
    };
    assert.deepEqual(tableRow(res('', 'v1', 'endpoints'), ep, now), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '2m']);
    assert.equal(row(res('', 'v1', 'endpoints'), { metadata: meta('none') })['Endpoints'], '<none>');
  });

  test('endpoint slices print address type, ports and addresses', () => {
    const eps: StoredObject = { metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'x' }], endpoints: [{ addresses: ['10.0.0.1'] }] };
    assert.deepEqual(tableRow(res('discovery.k8s.io', 'v1', 'endpointslices'), eps, now), ['web-abc', 'IPv4', '80,x', '10.0.0.1', '2m']);
    assert.equal(row(res('discovery.k8s.io', 'v1', 'endpointslices'), { metadata: meta('e'), addressType: 'IPv4' })['Ports'], '<unset>');
  });

  test('ingresses print class, hosts, address and ports', () => {
    const ing: StoredObject = {
      metadata: meta('web'),
      spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example' }, { host: 'b.example' }], tls: [{ hosts: ['a.example'] }] },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    };
    assert.deepEqual(tableRow(res('networking.k8s.io', 'v1', 'ingresses'), ing, now), ['web', 'nginx', 'a.example,b.example', '1.2.3.4', '80, 443', '2m']);
    assert.deepEqual(tableRow(res('networking.k8s.io', 'v1', 'ingresses'), { metadata: meta('x'), spec: {} }, now), ['x', '<none>', '*', '', '80', '2m']);
    const ic: StoredObject = { metadata: { name: 'nginx', creationTimestamp: '2024-05-01T11:58:00Z' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } };
    assert.deepEqual(tableRow(res('networking.k8s.io', 'v1', 'ingressclasses'), ic, now), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '2m']);
  });

  test('network policies print their pod selector', () => {
    assert.deepEqual(tableRow(res('networking.k8s.io', 'v1', 'networkpolicies'), { metadata: meta('deny'), spec: { podSelector: {} } }, now), ['deny', '<none>', '2m']);
  });

  test('role bindings print the role and, wide, users, groups and service accounts', () => {
    const rb: StoredObject = {
      metadata: meta('rb'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'ci' }, { kind: 'User', name: 'bob' }],
    };
    assert.deepEqual(tableRow(res('rbac.authorization.k8s.io', 'v1', 'rolebindings'), rb, now), ['rb', 'ClusterRole/view', '2m', 'alice, bob', 'devs', 'ci/sa']);
  });

  test('leases print their holder', () => {
    assert.deepEqual(tableRow(res('coordination.k8s.io', 'v1', 'leases'), { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'n1_abc' } }, now), ['kube-scheduler', 'n1_abc', '2m']);
  });

  test('resource quotas split requests and limits with used over hard', () => {
    const q: StoredObject = {
      metadata: meta('compute'),
      status: { hard: { 'requests.cpu': '1', 'limits.memory': '2Gi', pods: '10', 'limits.cpu': '2' }, used: { 'requests.cpu': '500m', pods: '3' } },
    };
    assert.deepEqual(tableRow(res('', 'v1', 'resourcequotas'), q, now), ['compute', '2m', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 0/2, limits.memory: 0/2Gi']);
  });

  test('kinds without an upstream printer get the default Name and Created At table', () => {
    for (const r of [res('rbac.authorization.k8s.io', 'v1', 'roles'), res('rbac.authorization.k8s.io', 'v1', 'clusterroles'), res('', 'v1', 'limitranges')]) {
      assert.deepEqual(tableColumns(r).map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
      assert.deepEqual(tableRow(r, { metadata: meta('x', { creationTimestamp: '2024-05-01T11:58:00Z' }) }, now), ['x', '2024-05-01T11:58:00Z']);
    }
  });
});
