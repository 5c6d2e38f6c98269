// The sandbox's DNS config and host name, and the /etc/hosts mount of containers, as container-config.ts forms them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { containerConfig, sandboxConfig, type ContainerConfigContext } from './container-config.js';
import { PodHostnameError } from './pod-hostname.js';

function pod(spec: Partial<PodSpec> = {}): Pod {
  return { metadata: { name: 'web-0', namespace: 'shop', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec } };
}

const hostsMount = { containerPath: '/etc/hosts', hostPath: '/r/pods/u1/etc-hosts', readonly: false, selinuxRelabel: true };
const ctx: ContainerConfigContext = {
  nodeName: 'n1', podIP: '10.244.0.5', hostIP: '192.0.2.2', restartCount: 0,
  lookup: { configMap: async () => undefined, secret: async () => undefined },
  mounts: async () => [{ containerPath: '/data', hostPath: '/r/pods/u1/volumes/data', readonly: false, selinuxRelabel: false }],
  terminationMessageFile: async () => '/r/pods/u1/containers/app/abcd',
  hostsMount: async () => hostsMount,
};

describe('the DNS part of the sandbox and container configs', () => {
  test('the sandbox carries the pod DNS config it is given', () => {
    const dnsConfig = { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local'], options: ['ndots:5'] };
    assert.deepEqual(sandboxConfig(pod(), 0, '/r', { dnsConfig, clusterDomain: 'cluster.local' }).dnsConfig, dnsConfig);
    assert.equal(sandboxConfig(pod(), 0, '/r').dnsConfig, undefined);
  });

  test('the sandbox host name is spec.hostname, or the FQDN with setHostnameAsFQDN and a subdomain', () => {
    assert.equal(sandboxConfig(pod({ hostname: 'front', subdomain: 'web' }), 0, '/r', { clusterDomain: 'cluster.local' }).hostname, 'front');
    assert.equal(sandboxConfig(pod({ hostname: 'front', subdomain: 'web', setHostnameAsFQDN: true }), 0, '/r', { clusterDomain: 'cluster.local' }).hostname, 'front.web.shop.svc.cluster.local');
    assert.equal(sandboxConfig(pod({ hostNetwork: true, setHostnameAsFQDN: true, subdomain: 'web' }), 0, '/r', { clusterDomain: 'cluster.local' }).hostname, undefined);
  });

  test('a sandbox whose FQDN would not fit the kernel is refused', () => {
    const p = pod({ hostname: 'h'.repeat(40), subdomain: 'web', setHostnameAsFQDN: true });
    assert.throws(() => sandboxConfig(p, 0, '/r', { clusterDomain: 'cluster.local' }), PodHostnameError);
  });

  test('a container mounts the managed /etc/hosts after its volumes and before its termination message file', async () => {
    const cfg = await containerConfig(pod(), { name: 'app', image: 'busybox' }, ctx);
    assert.deepEqual(cfg.mounts?.map((m) => m.containerPath), ['/data', '/etc/hosts', '/dev/termination-log']);
  });

  test('a container that mounts a volume at /etc/hosts does not get the managed one, nor when there is none yet', async () => {
    let asked = 0;
    const counting: ContainerConfigContext = { ...ctx, hostsMount: async () => (asked++, hostsMount) };
    const own: Container = { name: 'app', image: 'busybox', volumeMounts: [{ name: 'h', mountPath: '/etc/hosts' }] };
    const cfg = await containerConfig(pod(), own, counting);
    assert.equal(asked, 0);
    assert.equal(cfg.mounts?.filter((m) => m.containerPath === '/etc/hosts').length, 0);
    const none = await containerConfig(pod(), { name: 'app', image: 'busybox' }, { ...ctx, hostsMount: async () => undefined });
    assert.deepEqual(none.mounts?.map((m) => m.containerPath), ['/data', '/dev/termination-log']);
  });
});
