import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { appendDnsConfig, fitNameservers, fitSearches, mergeDnsOptions, podDnsConfig, podDnsType, type ClusterDnsSettings } from './pod-dns-config.js';
import type { ResolvConf } from './resolv-conf.js';

const host: ResolvConf = { servers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example', 'lab.example'], options: ['timeout:2', 'edns0'] };
const settings: ClusterDnsSettings = { clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', resolvConf: '/etc/resolv.conf' };

function pod(spec: Partial<PodSpec> = {}, namespace = 'shop'): Pod {
  return { metadata: { name: 'web', namespace, uid: 'u1' }, spec: { containers: [{ name: 'c' }], ...spec } };
}

describe('the DNS config of a pod', () => {
  test('ClusterFirst gets the cluster nameserver, the cluster search domains before the node ones, and ndots:5', () => {
    const { config, events } = podDnsConfig(pod({ dnsPolicy: 'ClusterFirst' }), host, settings);
    assert.deepEqual(config, {
      servers: ['10.43.0.10'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'],
      options: ['ndots:5'],
    });
    assert.deepEqual(events, []);
  });

  test('a node search domain equal to a cluster one appears once', () => {
    const { config } = podDnsConfig(pod({ dnsPolicy: 'ClusterFirst' }), { ...host, searches: ['cluster.local', 'corp.example'] }, settings);
    assert.deepEqual(config.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example']);
  });

  test('without a cluster domain ClusterFirst searches only the node domains', () => {
    const { config } = podDnsConfig(pod({ dnsPolicy: 'ClusterFirst' }), host, { ...settings, clusterDomain: '' });
    assert.deepEqual(config.searches, ['corp.example', 'lab.example']);
  });

  test('a host-network pod with ClusterFirst falls back to Default, and ClusterFirstWithHostNet keeps the cluster DNS', () => {
    assert.equal(podDnsType(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirst' })), 'host');
    assert.equal(podDnsType(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' })), 'cluster');
    assert.equal(podDnsType(pod({ dnsPolicy: 'ClusterFirstWithHostNet' })), 'cluster');
    assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirst' }), host, settings).config, host);
    assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), host, settings).config.servers, ['10.43.0.10']);
  });

  test('Default copies the node resolv.conf nameservers, search domains and options', () => {
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), host, settings).config, host);
  });

  test('Default without a resolv.conf uses the local nameserver per node address and search "."', () => {
    const none = { servers: [], searches: [], options: [] };
    const noFile = { ...settings, resolvConf: '' };
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), none, noFile).config, { servers: ['127.0.0.1'], searches: ['.'], options: [] });
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), none, { ...noFile, nodeIPs: ['192.0.2.2', 'fd00::2'] }).config.servers, ['127.0.0.1', '::1']);
  });

  test('None gets nothing but its dnsConfig', () => {
    const p = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } });
    assert.deepEqual(podDnsConfig(p, host, settings).config, {
      servers: ['1.2.3.4'],
      searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
      options: ['ndots:2', 'edns0'],
    });
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'None' }), host, settings).config, { servers: [], searches: [], options: [] });
  });

  test('dnsConfig is appended to ClusterFirst: new nameservers and searches after, options overriding by name', () => {
    const p = pod({ dnsPolicy: 'ClusterFirst', dnsConfig: { nameservers: ['10.43.0.10', '9.9.9.9'], searches: ['extra.example', 'svc.cluster.local'], options: [{ name: 'ndots', value: '2' }, { name: 'single-request' }] } });
    assert.deepEqual(podDnsConfig(p, host, settings).config, {
      servers: ['10.43.0.10', '9.9.9.9'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'extra.example'],
      options: ['ndots:2', 'single-request'],
    });
  });

  test('merging options: a pod option without a value leaves only the name, others keep their place', () => {
    assert.deepEqual(mergeDnsOptions(['ndots:5', 'timeout:2', 'edns0'], [{ name: 'timeout' }, { name: 'attempts', value: '3' }]), ['ndots:5', 'timeout', 'edns0', 'attempts:3']);
    assert.deepEqual(appendDnsConfig({ servers: ['a'], searches: [], options: [] }, { nameservers: ['a', 'b'] }), { servers: ['a', 'b'], searches: [], options: [] });
  });

  test('ClusterFirst without cluster DNS servers falls back to Default with MissingClusterDNS warnings on the node and the pod', () => {
    const { config, events } = podDnsConfig(pod({ dnsPolicy: 'ClusterFirst' }), host, { ...settings, clusterDns: [] });
    assert.deepEqual(config, host);
    const nodeMessage = 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.';
    assert.deepEqual(events, [
      { on: 'node', reason: 'MissingClusterDNS', message: nodeMessage },
      { on: 'pod', reason: 'MissingClusterDNS', message: `pod: "web_shop(u1)". ${nodeMessage}` },
    ]);
  });

  test('more than three nameservers are cut to three with a DNSConfigForming warning', () => {
    const p = pod({ dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8'] } });
    const { config, events } = podDnsConfig(p, host, settings);
    assert.deepEqual(config.servers, ['192.0.2.53', '192.0.2.54', '1.1.1.1']);
    assert.deepEqual(events, [{ on: 'pod', reason: 'DNSConfigForming', message: 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 192.0.2.53 192.0.2.54 1.1.1.1' }]);
    assert.equal(fitNameservers(['a', 'b', 'c']).warning, undefined);
  });

  test('more than 32 search paths are cut to 32, with the applied line in the warning', () => {
    const many = Array.from({ length: 35 }, (_, i) => `s${i}.example`);
    const fitted = fitSearches(many);
    assert.equal(fitted.searches.length, 32);
    assert.equal(fitted.warning, `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${many.slice(0, 32).join(' ')}`);
    assert.deepEqual(fitSearches(['a', 'b']), { searches: ['a', 'b'] });
  });

  test('a search path over 253 characters is dropped and the line is cut from the end to 2048 characters', () => {
    assert.deepEqual(fitSearches(['ok.example', 'x'.repeat(254), 'fine.example']).searches, ['ok.example', 'fine.example']);
    const long = Array.from({ length: 10 }, (_, i) => `${i}${'y'.repeat(249)}`);
    const fitted = fitSearches(long);
    // 8 paths of 250 characters and 7 spaces make 2007 characters; a ninth would make 2258.
    assert.deepEqual(fitted.searches, long.slice(0, 8));
    assert.ok(fitted.warning?.startsWith('Search Line limits were exceeded'));
  });

  test('a pod in another namespace searches its own namespace first', () => {
    assert.equal(podDnsConfig(pod({ dnsPolicy: 'ClusterFirst' }, 'kube-system'), host, settings).config.searches?.[0], 'kube-system.svc.cluster.local');
  });
});
