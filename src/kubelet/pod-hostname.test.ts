import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { nodenameForKernel, podHostnameAndDomain, PodHostnameError, truncatePodHostname } from './pod-hostname.js';

function pod(spec: Partial<PodSpec> = {}, name = 'web-0'): Pod {
  return { metadata: { name, namespace: 'shop', uid: 'u1' }, spec: { containers: [{ name: 'c' }], ...spec } };
}

describe('the host name of a pod', () => {
  test('is the pod name, or spec.hostname when set', () => {
    assert.deepEqual(podHostnameAndDomain(pod(), 'cluster.local'), { hostname: 'web-0', domain: '' });
    assert.deepEqual(podHostnameAndDomain(pod({ hostname: 'front' }), 'cluster.local'), { hostname: 'front', domain: '' });
  });

  test('with a subdomain has the domain SUBDOMAIN.NAMESPACE.svc.CLUSTERDOMAIN', () => {
    assert.deepEqual(podHostnameAndDomain(pod({ hostname: 'front', subdomain: 'web' }), 'cluster.local'), { hostname: 'front', domain: 'web.shop.svc.cluster.local' });
  });

  test('longer than 63 characters is cut without a trailing dash or dot', () => {
    const name = `${'a'.repeat(61)}--b`;
    assert.equal(truncatePodHostname(name, name), 'a'.repeat(61));
    assert.equal(podHostnameAndDomain(pod({}, name), '').hostname, 'a'.repeat(61));
  });

  test('an invalid spec.hostname or subdomain is refused with upstream words', () => {
    assert.throws(() => podHostnameAndDomain(pod({ hostname: 'Bad_Name' }), 'cluster.local'), (e: unknown) => e instanceof PodHostnameError && e.message.startsWith('pod Hostname "Bad_Name" is not a valid DNS label: a lowercase RFC 1123 label'));
    assert.throws(() => podHostnameAndDomain(pod({ subdomain: 'x.y' }), 'cluster.local'), (e: unknown) => e instanceof PodHostnameError && e.message.startsWith('pod Subdomain "x.y" is not a valid DNS label'));
  });

  test('the kernel gets the FQDN only with setHostnameAsFQDN and a subdomain', () => {
    assert.equal(nodenameForKernel('front', 'web.shop.svc.cluster.local', true), 'front.web.shop.svc.cluster.local');
    assert.equal(nodenameForKernel('front', 'web.shop.svc.cluster.local', false), 'front');
    assert.equal(nodenameForKernel('front', '', true), 'front');
  });

  test('an FQDN longer than 64 characters is refused', () => {
    const domain = 'w'.repeat(40) + '.shop.svc.cluster.local';
    assert.throws(() => nodenameForKernel('front', domain, true), (e: unknown) =>
      e instanceof PodHostnameError && e.message === `failed to construct FQDN from pod hostname and cluster domain, FQDN front.${domain} is too long (64 characters is the max, 69 characters requested)`);
  });
});
