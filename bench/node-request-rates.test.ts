import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRates, requestTotals } from './node-request-rates.js';

const BEFORE = `# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 10
apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} 3
`;
const AFTER = `${BEFORE.replace(' 10\n', ' 25\n').replace(' 3\n', ' 5\n')}apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="events",scope="resource",subresource="",verb="POST",version="v1"} 1
apiserver_request_duration_seconds_count{verb="GET"} 99
`;

describe('the node bench request rates', () => {
  test('reads only apiserver_request_total lines, by label set', () => {
    assert.equal(requestTotals(AFTER).size, 3);
  });

  test('differences two scrapes and groups them by verb, resource and subresource, most first', () => {
    assert.deepEqual(requestRates(requestTotals(BEFORE), requestTotals(AFTER)), [
      { request: 'PATCH pods/status', count: 15 },
      { request: 'PUT leases', count: 2 },
      { request: 'POST events', count: 1 },
    ]);
  });
});
