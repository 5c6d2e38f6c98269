import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateNameDNSSubdomain,
  validatePathSegmentName,
} from './names.js';

describe('name formats', () => {
  test('an upper-case DNS label is rejected with the RFC 1123 message', () => {
    assert.deepEqual(isDNS1123Label('Mongo'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(isDNS1123Label('my-name'), []);
  });

  test('a label longer than 63 characters reports the length too', () => {
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  test('a subdomain may contain dots but not underscores', () => {
    assert.deepEqual(isDNS1123Subdomain('a.b.c'), []);
    assert.deepEqual(isDNS1123Subdomain('a_b'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  test('a DNS-1035 label must start with a letter', () => {
    assert.deepEqual(isDNS1035Label('1abc'), [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  test('qualified names check prefix and name parts separately', () => {
    assert.deepEqual(isQualifiedName('example.com/app'), []);
    assert.deepEqual(isQualifiedName('/app'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('a/b/c'), [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });

  test('label values may be empty but not start with a dash', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.equal(isValidLabelValue('-x').length, 1);
  });

  test('port names and numbers follow IANA rules', () => {
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  });

  test('IP addresses are parsed like Go does, leading zeros tolerated', () => {
    assert.deepEqual(isValidIP('10.0.0.1'), []);
    assert.deepEqual(isValidIP('010.000.000.001'), []);
    assert.deepEqual(isValidIP('2001:db8::1'), []);
    assert.deepEqual(isValidIP('1.2.3'), ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  });

  test('config keys refuse path traversal', () => {
    assert.deepEqual(isConfigMapKey('..data'), ["must not start with '..'"]);
    assert.deepEqual(isConfigMapKey('app.properties'), []);
  });

  test('generateName may end in a dash', () => {
    assert.deepEqual(validateNameDNSSubdomain('web-', true), []);
    assert.equal(validateNameDNSSubdomain('web-', false).length, 1);
  });

  test('path segment names refuse slashes and dot names', () => {
    assert.deepEqual(validatePathSegmentName('..', false), ["may not be '..'"]);
    assert.deepEqual(validatePathSegmentName('a/b%', false), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(validatePathSegmentName('system:admin', false), []);
  });
});
