import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { FieldPath, fieldErrorMessage } from '../../../machinery/field-errors.js';
import { defaultPodSpec } from '../../defaults/core/pod-spec.js';
import { validatePodSpec, validatePodSpecUpdate, validatePodTemplateSpec } from './pod-spec.js';

function spec(extra: Partial<PodSpec> = {}): PodSpec {
  const s: PodSpec = { containers: [{ name: 'web', image: 'nginx' }], ...extra };
  defaultPodSpec(s);
  return s;
}

const specPath = FieldPath.root('spec');
const msgs = (s: PodSpec): string[] => validatePodSpec(s, undefined, specPath).map(fieldErrorMessage);

describe('pod spec validation', () => {
  test('a defaulted minimal spec is valid', () => {
    assert.deepEqual(msgs(spec()), []);
  });

  test('a StatefulSet serviceName that is not a DNS label fails as spec.subdomain', () => {
    assert.deepEqual(msgs(spec({ subdomain: 'Mongo' })), [
      `spec.subdomain: Invalid value: "Mongo": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  test('containers are required', () => {
    const s = spec();
    s.containers = [];
    assert.deepEqual(msgs(s), ['spec.containers: Required value']);
  });

  test('a container needs an image and a DNS label name', () => {
    const s = spec({ containers: [{ name: 'Web' }] });
    assert.deepEqual(msgs(s), [
      `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'spec.containers[0].image: Required value',
    ]);
  });

  test('an unknown restart policy lists the supported ones', () => {
    assert.deepEqual(msgs(spec({ restartPolicy: 'Sometimes' })), [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  test('a volume mount must name a volume of the pod', () => {
    const s = spec({ containers: [{ name: 'web', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] });
    assert.deepEqual(msgs(s), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']);
  });

  test('duplicate volume names and volumes with two sources are refused', () => {
    const s = spec({ volumes: [{ name: 'a', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'b', emptyDir: {} }, { name: 'b', emptyDir: {} }] });
    assert.deepEqual(msgs(s), ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type', 'spec.volumes[2].name: Duplicate value: "b"']);
  });

  test('requests above limits are refused', () => {
    const s = spec({ containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] });
    assert.deepEqual(msgs(s), ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
  });

  test('env var sources must be exactly one', () => {
    const s = spec({ containers: [{ name: 'web', image: 'nginx', env: [{ name: 'A', valueFrom: {} }] }] });
    assert.deepEqual(msgs(s), [
      'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    ]);
  });

  test('duplicate container port names are refused', () => {
    const s = spec({
      containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] }],
    });
    assert.deepEqual(msgs(s), ['spec.containers[0].ports[1].name: Duplicate value: "http"']);
  });

  test('a liveness probe must succeed once', () => {
    const s = spec({ containers: [{ name: 'web', image: 'nginx', livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] });
    assert.deepEqual(msgs(s), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']);
  });

  test('tolerations with an empty key must use Exists', () => {
    assert.deepEqual(msgs(spec({ tolerations: [{ operator: 'Equal', value: 'x' }] })), [
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ]);
  });

  test('template labels are validated under template.metadata paths', () => {
    const tpl: PodTemplateSpec = { metadata: { labels: { 'a/b/c': 'x' } }, spec: spec() };
    const errs = validatePodTemplateSpec(tpl, FieldPath.root('spec', 'template')).map(fieldErrorMessage);
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /^spec\.template\.labels: Invalid value: "a\/b\/c": a qualified name/);
  });
});

describe('pod spec updates', () => {
  test('the image may change', () => {
    const old = spec();
    const next = structuredClone(old);
    next.containers[0] = { ...next.containers[0], name: 'web', image: 'nginx:2' };
    assert.deepEqual(validatePodSpecUpdate(next, old, specPath), []);
  });

  test('other fields may not, with upstream message', () => {
    const old = spec();
    const next = structuredClone(old);
    next.restartPolicy = 'Never';
    const errs = validatePodSpecUpdate(next, old, specPath).map(fieldErrorMessage);
    assert.equal(errs.length, 1);
    assert.ok(
      (errs[0] ?? '').startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
    );
  });

  test('containers may not be added', () => {
    const old = spec();
    const next = structuredClone(old);
    next.containers.push({ name: 'b', image: 'x' });
    assert.deepEqual(validatePodSpecUpdate(next, old, specPath).map(fieldErrorMessage), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  });
});
