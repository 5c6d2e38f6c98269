import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { defaultPod, defaultPodSpec, defaultPullPolicy } from './pod-spec.js';

describe('pod spec defaults', () => {
  test('a bare spec gets upstream defaults', () => {
    const s: PodSpec = { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 80 } } }] };
    defaultPodSpec(s);
    assert.equal(s.restartPolicy, 'Always');
    assert.equal(s.dnsPolicy, 'ClusterFirst');
    assert.equal(s.schedulerName, 'default-scheduler');
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.deepEqual(s.securityContext, {});
    const c = s.containers[0];
    assert.equal(c?.imagePullPolicy, 'Always');
    assert.equal(c?.terminationMessagePath, '/dev/termination-log');
    assert.equal(c?.terminationMessagePolicy, 'File');
    assert.deepEqual(c?.resources, {});
    assert.equal(c?.ports?.[0]?.protocol, 'TCP');
    assert.deepEqual(c?.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.equal(s.enableServiceLinks, undefined);
  });

  test('pull policy follows the tag', () => {
    assert.equal(defaultPullPolicy('nginx'), 'Always');
    assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
    assert.equal(defaultPullPolicy('nginx:1.25'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
    assert.equal(defaultPullPolicy('nginx@sha256:abcd'), 'IfNotPresent');
  });

  test('volumes default their source and file modes', () => {
    const s: PodSpec = { containers: [], volumes: [{ name: 'a' }, { name: 'b', secret: { secretName: 's' } }, { name: 'c', hostPath: { path: '/x' } }] };
    defaultPodSpec(s);
    assert.deepEqual(s.volumes?.[0], { name: 'a', emptyDir: {} });
    assert.equal(s.volumes?.[1]?.secret?.defaultMode, 420);
    assert.equal(s.volumes?.[2]?.hostPath?.type, '');
  });

  test('pods copy limits into missing requests and enable service links', () => {
    const s: PodSpec = { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '1' }, requests: { memory: '1Gi' } } }] };
    defaultPod(s);
    assert.deepEqual(s.containers[0]?.resources?.requests, { memory: '1Gi', cpu: '1' });
    assert.equal(s.enableServiceLinks, true);
  });
});
