import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZoneRequest } from './zone-request.js';

describe('parseZoneRequest', () => {
  test('reads service, endpoint and SRV names as CoreDNS', () => {
    assert.deepEqual(parseZoneRequest('web.default.svc'), { port: '', protocol: '', endpoint: '', service: 'web', namespace: 'default', podOrSvc: 'svc' });
    assert.deepEqual(parseZoneRequest('web-0.web.default.svc'), { port: '', protocol: '', endpoint: 'web-0', service: 'web', namespace: 'default', podOrSvc: 'svc' });
    assert.deepEqual(parseZoneRequest('_http._tcp.web.default.svc'), { port: 'http', protocol: 'tcp', endpoint: '', service: 'web', namespace: 'default', podOrSvc: 'svc' });
    assert.deepEqual(parseZoneRequest('10-0-0-1.default.pod'), { port: '', protocol: '', endpoint: '', service: '10-0-0-1', namespace: 'default', podOrSvc: 'pod' });
  });

  test('the apex and bare svc/pod are empty requests; other layouts are no names', () => {
    assert.equal(parseZoneRequest('')?.podOrSvc, '');
    assert.equal(parseZoneRequest('svc')?.podOrSvc, '');
    assert.equal(parseZoneRequest('default.svc')?.namespace, 'default');
    assert.equal(parseZoneRequest('web.default.foo'), undefined);
    assert.equal(parseZoneRequest('a.b.c.web.default.svc'), undefined);
  });
});
