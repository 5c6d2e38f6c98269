import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeProxyPath } from './node-proxy.js';

describe('nodeProxyPath', () => {
  test('joins the segments after proxy/ and keeps a trailing slash, as JoinPreservingTrailingSlash', () => {
    assert.equal(nodeProxyPath(['stats', 'summary'], '/api/v1/nodes/n/proxy/stats/summary'), '/stats/summary');
    assert.equal(nodeProxyPath(['pods'], '/api/v1/nodes/n/proxy/pods/'), '/pods/');
    assert.equal(nodeProxyPath([], '/api/v1/nodes/n/proxy'), '/');
    assert.equal(nodeProxyPath(['logs', 'a b'], '/api/v1/nodes/n/proxy/logs/a%20b'), '/logs/a%20b');
  });
});
