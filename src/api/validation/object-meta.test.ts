import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldPath, fieldErrorMessage } from '../../machinery/field-errors.js';
import { validateNameDNSSubdomain } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const meta = FieldPath.root('metadata');
const messages = (errs: ReturnType<typeof validateObjectMeta>): string[] => errs.map(fieldErrorMessage);

describe('object metadata', () => {
  test('a missing name is required', () => {
    assert.deepEqual(messages(validateObjectMeta({ namespace: 'default' }, true, validateNameDNSSubdomain, meta)), [
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  test('namespaced objects need a namespace and cluster objects refuse one', () => {
    assert.deepEqual(messages(validateObjectMeta({ name: 'a' }, true, validateNameDNSSubdomain, meta)), ['metadata.namespace: Required value']);
    assert.deepEqual(messages(validateObjectMeta({ name: 'a', namespace: 'x' }, false, validateNameDNSSubdomain, meta)), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  test('invalid label values are reported at metadata.labels', () => {
    const errs = messages(validateObjectMeta({ name: 'a', namespace: 'd', labels: { app: 'bad value' } }, true, validateNameDNSSubdomain, meta));
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string/);
  });

  test('annotations over 256KiB are too long', () => {
    const errs = messages(validateObjectMeta({ name: 'a', namespace: 'd', annotations: { big: 'x'.repeat(262144) } }, true, validateNameDNSSubdomain, meta));
    assert.deepEqual(errs, ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  });

  test('unqualified finalizers must be standard', () => {
    const errs = messages(validateObjectMeta({ name: 'a', namespace: 'd', finalizers: ['kubernetes', 'mine'] }, true, validateNameDNSSubdomain, meta));
    assert.deepEqual(errs, ['metadata.finalizers[1]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified']);
  });

  test('two controller owner references are refused', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', uid: 'u', controller: true };
    const errs = messages(
      validateObjectMeta({ name: 'a', namespace: 'd', ownerReferences: [{ ...ref, name: 'x' }, { ...ref, name: 'y' }] }, true, validateNameDNSSubdomain, meta),
    );
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/x and ReplicaSet\/y$/);
  });

  test('name and uid are immutable on update and resourceVersion is required', () => {
    const errs = messages(validateObjectMetaUpdate({ name: 'b', uid: 'u1' }, { name: 'a', uid: 'u1', resourceVersion: '1' }, meta));
    assert.deepEqual(errs, ['metadata.resourceVersion: Invalid value: "": must be specified for an update', 'metadata.name: Invalid value: "b": field is immutable']);
  });

  test('no finalizer may be added while the object is being deleted', () => {
    const errs = messages(
      validateObjectMetaUpdate(
        { name: 'a', resourceVersion: '2', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['kubernetes', 'example.com/x'] },
        { name: 'a', resourceVersion: '1', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['kubernetes'] },
        meta,
      ),
    );
    assert.deepEqual(errs, ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}']);
  });

  test('selector operators and values are checked', () => {
    const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Foo' }] }, FieldPath.root('spec', 'selector')).map(
      fieldErrorMessage,
    );
    assert.deepEqual(errs, [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Foo": not a valid selector operator',
    ]);
  });
});
