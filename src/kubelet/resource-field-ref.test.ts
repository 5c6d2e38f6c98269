import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerResourceRuntimeValue, extractContainerResourceValue } from './resource-field-ref.js';

const app: Container = { name: 'app', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m', memory: '128Mi', 'hugepages-2Mi': '4Mi' } } };
const bare: Container = { name: 'bare' };
const init: Container = { name: 'setup', resources: { requests: { cpu: '100m' } } };
const pod: Pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [app, bare], initContainers: [init] } };
const allocatable = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' };

describe('resourceFieldRef values', () => {
  test('cpu is in whole cores rounded up unless a divisor says otherwise', () => {
    assert.equal(extractContainerResourceValue({ resource: 'limits.cpu' }, app), '2');
    assert.equal(extractContainerResourceValue({ resource: 'limits.cpu', divisor: '1m' }, app), '1500');
    assert.equal(extractContainerResourceValue({ resource: 'requests.cpu', divisor: '1m' }, app), '250');
    assert.equal(extractContainerResourceValue({ resource: 'requests.cpu' }, app), '1');
    assert.equal(extractContainerResourceValue({ resource: 'requests.cpu', divisor: '100m' }, app), '3');
  });

  test('memory is in bytes unless a divisor says otherwise, rounded up', () => {
    assert.equal(extractContainerResourceValue({ resource: 'limits.memory' }, app), String(128 * 1024 * 1024));
    assert.equal(extractContainerResourceValue({ resource: 'limits.memory', divisor: '1Mi' }, app), '128');
    assert.equal(extractContainerResourceValue({ resource: 'requests.memory', divisor: '1Gi' }, app), '1');
    assert.equal(extractContainerResourceValue({ resource: 'requests.memory', divisor: '1M' }, app), '68');
    assert.equal(extractContainerResourceValue({ resource: 'limits.hugepages-2Mi', divisor: '1Mi' }, app), '4');
  });

  test('a zero divisor counts as 1, and an unknown resource fails with upstream words', () => {
    assert.equal(extractContainerResourceValue({ resource: 'limits.cpu', divisor: '0' }, app), '2');
    assert.throws(() => extractContainerResourceValue({ resource: 'limits.gpu' }, app), { message: 'unsupported container resource : limits.gpu' });
  });

  test('limits default to the node allocatable when the container sets none, requests to zero', () => {
    assert.equal(containerResourceRuntimeValue({ resource: 'limits.cpu', divisor: '1m' }, pod, bare, allocatable), '4000');
    assert.equal(containerResourceRuntimeValue({ resource: 'limits.memory', divisor: '1Mi' }, pod, bare, allocatable), '8192');
    assert.equal(containerResourceRuntimeValue({ resource: 'limits.ephemeral-storage', divisor: '1Gi' }, pod, bare, allocatable), '100');
    assert.equal(containerResourceRuntimeValue({ resource: 'requests.memory' }, pod, bare, allocatable), '0');
    const zero: Container = { name: 'zero', resources: { limits: { cpu: '0' } } };
    assert.equal(containerResourceRuntimeValue({ resource: 'limits.cpu' }, pod, zero, allocatable), '4');
  });

  test('a containerName selects another container of the pod, and an unknown one fails', () => {
    assert.equal(containerResourceRuntimeValue({ resource: 'limits.memory', divisor: '1Mi', containerName: 'app' }, pod, bare, allocatable), '128');
    assert.equal(containerResourceRuntimeValue({ resource: 'requests.cpu', divisor: '1m', containerName: 'setup' }, pod, bare, allocatable), '100');
    assert.throws(() => containerResourceRuntimeValue({ resource: 'limits.cpu', containerName: 'nope' }, pod, bare, allocatable), { message: 'container nope not found' });
  });
});
