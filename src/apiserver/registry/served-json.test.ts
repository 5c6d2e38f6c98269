import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeStored } from './served-json.js';

describe('encodeStored', () => {
  const pod = () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });

  test('the stored text is the object without its resourceVersion', () => {
    const obj = { ...pod(), metadata: { ...pod().metadata, resourceVersion: '7' } };
    const { value } = encodeStored(obj, 'v1', 'Pod');
    assert.equal(value, JSON.stringify(pod()));
  });

  test('the text with a resourceVersion is what JSON.stringify makes once the key is set', () => {
    const obj: ReturnType<typeof pod> & { metadata: { resourceVersion?: string } } = pod();
    const { withResourceVersion } = encodeStored(obj, 'v1', 'Pod');
    obj.metadata.resourceVersion = '42';
    assert.equal(withResourceVersion?.('42'), JSON.stringify(obj));
  });

  test('empty metadata and a resourceVersion already last both splice right', () => {
    const empty = { apiVersion: 'v1', kind: 'Namespace', metadata: {} as Record<string, unknown>, spec: {} };
    const e = encodeStored(empty, 'v1', 'Namespace');
    empty.metadata['resourceVersion'] = '3';
    assert.equal(e.withResourceVersion?.('3'), JSON.stringify(empty));
    const last = { ...pod(), metadata: { ...pod().metadata, resourceVersion: '1' } };
    const l = encodeStored(last, 'v1', 'Pod');
    last.metadata.resourceVersion = '2';
    assert.equal(l.withResourceVersion?.('2'), JSON.stringify(last));
  });

  test('apiVersion and kind are set where the object has them, or appended', () => {
    const obj = { metadata: { name: 'x' }, data: { a: '1' } };
    const { value } = encodeStored(obj, 'v1', 'ConfigMap');
    assert.equal(value, '{"metadata":{"name":"x"},"data":{"a":"1"},"apiVersion":"v1","kind":"ConfigMap"}');
  });

  test('a resourceVersion in the middle of the metadata gives no spliced text', () => {
    const obj = { ...pod(), metadata: { name: 'p', resourceVersion: '1', namespace: 'ns' } };
    const r = encodeStored(obj, 'v1', 'Pod');
    assert.equal(r.withResourceVersion, undefined);
    assert.equal(r.value, JSON.stringify({ ...pod(), metadata: { name: 'p', namespace: 'ns' } }));
  });

  test('an object whose own data holds the placeholder is stringified whole', () => {
    const obj = { ...pod(), data: { trick: '\u0000k8ts:metadata\u0000' } };
    const r = encodeStored(obj, 'v1', 'Pod');
    assert.equal(r.withResourceVersion, undefined);
    assert.equal(r.value, JSON.stringify(obj));
  });
});
