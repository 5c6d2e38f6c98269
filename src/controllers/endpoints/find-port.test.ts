import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findPort } from './find-port.js';

const pod: Pod = {
  metadata: { name: 'p', uid: 'u' },
  spec: {
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
    initContainers: [
      { name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }] },
      { name: 'init', ports: [{ name: 'setup', containerPort: 7000, protocol: 'TCP' }] },
    ],
  },
};

describe('findPort', () => {
  test('a numeric targetPort is used as is', () => {
    assert.equal(findPort(pod, { port: 8080, targetPort: 9376, protocol: 'TCP' }), 9376);
  });

  test('a named targetPort resolves to the container port of that name', () => {
    assert.equal(findPort(pod, { port: 8080, targetPort: 'http', protocol: 'TCP' }), 80);
  });

  test('the protocol must match too', () => {
    assert.equal(findPort(pod, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
    assert.equal(findPort(pod, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  });

  test('a sidecar container port resolves, a plain init container port does not', () => {
    assert.equal(findPort(pod, { port: 1, targetPort: 'metrics', protocol: 'TCP' }), 9090);
    assert.equal(findPort(pod, { port: 1, targetPort: 'setup', protocol: 'TCP' }), undefined);
  });

  test('an unknown name resolves to nothing', () => {
    assert.equal(findPort(pod, { port: 8080, targetPort: 'web', protocol: 'TCP' }), undefined);
  });
});
