import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import {
  DockerKeyring, decodeDockerConfigEntry, globMatch, isDefaultRegistryMatch, keyMatchesImage, keyringsFromSecrets, pullCredentials,
} from './pull-secrets-keyring.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function dockerConfigJson(name: string, auths: Record<string, unknown>): Secret {
  return { metadata: { name, namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } };
}

describe('docker config entries', () => {
  test('auth decodes to username and password, padded or not, and wins over the fields', () => {
    assert.deepEqual(decodeDockerConfigEntry({ auth: b64('alice:s3:cret') }, 'x'), { username: 'alice', password: 's3:cret' });
    assert.deepEqual(decodeDockerConfigEntry({ auth: b64('ab:c').replace(/=+$/, '') }, 'x'), { username: 'ab', password: 'c' });
    assert.deepEqual(decodeDockerConfigEntry({ username: 'bob', password: 'pw', email: 'b@x', auth: b64('carol:pw2') }, 'x'), { username: 'carol', password: 'pw2', email: 'b@x' });
    assert.deepEqual(decodeDockerConfigEntry({ username: 'bob', password: 'pw' }, 'x'), { username: 'bob', password: 'pw' });
  });

  test('an auth that is not base64 of user:password is an error', () => {
    assert.throws(() => decodeDockerConfigEntry({ auth: b64('nocolon') }, 'reg'), /must be formatted as base64\(username:password\)/);
    assert.throws(() => decodeDockerConfigEntry({ auth: 'not base64!' }, 'reg'), /auth is not base64/);
    assert.throws(() => decodeDockerConfigEntry('str', 'reg'), /is not an object/);
  });
});

describe('keyring matching', () => {
  test('host parts match as globs, part for part', () => {
    assert.equal(keyMatchesImage('*.gcr.io', 'eu.gcr.io/p/x'), true);
    assert.equal(keyMatchesImage('*.gcr.io', 'gcr.io/p/x'), false);
    assert.equal(keyMatchesImage('*.gcr.io', 'a.b.gcr.io/p/x'), false);
    assert.equal(keyMatchesImage('registry-?.example.test', 'registry-1.example.test/x'), true);
    assert.equal(keyMatchesImage('[ab].example.test', 'b.example.test/x'), true);
    assert.equal(keyMatchesImage('[^ab].example.test', 'b.example.test/x'), false);
    assert.equal(keyMatchesImage('[broken.example.test', 'b.example.test/x'), false);
  });

  test('the port must be the same, none on both or equal', () => {
    assert.equal(keyMatchesImage('127.0.0.1:5000', '127.0.0.1:5000/library/busybox'), true);
    assert.equal(keyMatchesImage('127.0.0.1:5000', '127.0.0.1:5001/library/busybox'), false);
    assert.equal(keyMatchesImage('127.0.0.1', '127.0.0.1:5000/library/busybox'), false);
    assert.equal(keyMatchesImage('[::1]:5000', '[::1]:5000/x'), true);
  });

  test("the key's path must be a prefix of the repository's", () => {
    assert.equal(keyMatchesImage('quay.io/coreos', 'quay.io/coreos/etcd'), true);
    assert.equal(keyMatchesImage('quay.io/coreos', 'quay.io/other/etcd'), false);
  });

  test('globs match like Go filepath.Match', () => {
    assert.equal(globMatch('a*c', 'abbbc'), true);
    assert.equal(globMatch('a\\*c', 'a*c'), true);
    assert.equal(globMatch('a\\*c', 'abc'), false);
    assert.equal(globMatch('[a-c]x', 'bx'), true);
    assert.equal(globMatch('a.b', 'axb'), false);
  });

  test('more specific keys come first, and schemes and /v1/ or /v2/ suffixes are dropped', () => {
    const k = new DockerKeyring();
    k.add({
      'https://quay.io': { username: 'all', password: '1' },
      'quay.io/coreos': { username: 'coreos', password: '2' },
      'http://quay.io/v2/': { username: 'all-v2', password: '3' },
      'other.example.test': { username: 'other', password: '4' },
    });
    assert.deepEqual(k.lookup('quay.io/coreos/etcd').map((c) => c.username), ['coreos', 'all', 'all-v2']);
    assert.deepEqual(k.lookup('quay.io/prometheus/x').map((c) => c.username), ['all', 'all-v2']);
    assert.deepEqual(k.lookup('elsewhere.example.test/x'), []);
  });

  test("Docker Hub images take index.docker.io's credentials", () => {
    const k = new DockerKeyring();
    k.add({ 'https://index.docker.io/v1/': { username: 'hub', password: 'p' } });
    assert.deepEqual(k.lookup('docker.io/library/busybox').map((c) => c.username), ['hub']);
    assert.deepEqual(k.lookup('quay.io/x').map((c) => c.username), []);
    assert.equal(isDefaultRegistryMatch('busybox'), true);
    assert.equal(isDefaultRegistryMatch('library/busybox'), true);
    assert.equal(isDefaultRegistryMatch('index.docker.io/library/busybox'), true);
    assert.equal(isDefaultRegistryMatch('localhost:5000/x'), false);
    assert.equal(isDefaultRegistryMatch('quay.io/x'), false);
  });
});

describe('pull secrets', () => {
  test('dockerconfigjson and dockercfg secrets become keyrings in the order given; others are ignored', () => {
    const cfg: Secret = { metadata: { name: 'old' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ '127.0.0.1:5000': { auth: b64('old:pw') } })) } };
    const opaque: Secret = { metadata: { name: 'o' }, type: 'Opaque', data: { '.dockerconfigjson': b64('{}') } };
    const json = dockerConfigJson('new', { '127.0.0.1:5000': { username: 'new', password: 'pw' } });
    assert.equal(keyringsFromSecrets([cfg, opaque, json]).length, 2);
    assert.deepEqual(pullCredentials([cfg, opaque, json], '127.0.0.1:5000/library/busybox:reg').map((c) => c.username), ['old', 'new']);
    assert.deepEqual(pullCredentials([json, cfg], '127.0.0.1:5000/library/busybox@sha256:abc').map((c) => c.username), ['new', 'old']);
  });

  test("an image is matched by its normalized repository, so busybox matches docker.io's key", () => {
    const s = dockerConfigJson('hub', { 'docker.io': { username: 'hub', password: 'p' } });
    assert.deepEqual(pullCredentials([s], 'busybox').map((c) => c.username), ['hub']);
    assert.deepEqual(pullCredentials([s], 'quay.io/busybox'), []);
  });

  test('a secret whose data is not a docker config is an error', () => {
    const bad: Secret = { metadata: { name: 'bad', namespace: 'ns' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{not json') } };
    assert.throws(() => pullCredentials([bad], 'busybox'), /secret ns\/bad \.dockerconfigjson: /);
  });
});
