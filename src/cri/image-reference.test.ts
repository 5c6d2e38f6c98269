import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { imageRepository, normalizeImageRef } from './image-reference.js';

describe('normalizeImageRef', () => {
  test('a bare name is a docker.io library image tagged latest', () => {
    assert.equal(normalizeImageRef('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeImageRef('nginx:1.7.12'), 'docker.io/library/nginx:1.7.12');
  });

  test('a user repository without a registry is on docker.io', () => {
    assert.equal(normalizeImageRef('kuar-demo/kuard-amd64:1'), 'docker.io/kuar-demo/kuard-amd64:1');
  });

  test('a first component with a dot, a port or localhost is the registry', () => {
    assert.equal(normalizeImageRef('gcr.io/kuar-demo/kuard-amd64:1'), 'gcr.io/kuar-demo/kuard-amd64:1');
    assert.equal(normalizeImageRef('127.0.0.1:5000/app'), '127.0.0.1:5000/app:latest');
    assert.equal(normalizeImageRef('localhost/app'), 'localhost/app:latest');
  });

  test('a digest reference gets no tag', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    assert.equal(normalizeImageRef(`busybox@${d}`), `docker.io/library/busybox@${d}`);
  });

  test('the repository drops the tag but keeps a registry port', () => {
    assert.equal(imageRepository('127.0.0.1:5000/app:1'), '127.0.0.1:5000/app');
    assert.equal(imageRepository('docker.io/library/busybox:latest'), 'docker.io/library/busybox');
  });
});
