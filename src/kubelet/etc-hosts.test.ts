import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureHostsFile, etcHostsFilePath, EtcHostsError, makeHostsMount, managedHostsFileContent, mountsOwnEtcHosts, nodeHostsFileContent, shouldMountHostsFile } from './etc-hosts.js';

const localhost = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
].join('\n');

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-hosts-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the managed /etc/hosts', () => {
  test('lists localhost, then the pod IP with its host name', () => {
    assert.equal(managedHostsFileContent(['10.244.0.5'], 'web-0', ''), `${localhost}\n10.244.0.5\tweb-0\n`);
  });

  test('with a domain puts the FQDN before the short name', () => {
    assert.equal(managedHostsFileContent(['10.244.0.5'], 'front', 'web.shop.svc.cluster.local'), `${localhost}\n10.244.0.5\tfront.web.shop.svc.cluster.local\tfront\n`);
  });

  test('ends with the host aliases, one line per IP with its names tab-separated', () => {
    const aliases = [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.3', hostnames: ['foo.remote'] }];
    assert.equal(
      managedHostsFileContent(['10.244.0.5'], 'web-0', '', aliases),
      `${localhost}\n10.244.0.5\tweb-0\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n`,
    );
  });

  test('of a host-network pod is the node hosts file under its own header, with the aliases', () => {
    assert.equal(
      nodeHostsFileContent('127.0.0.1 localhost\n', [{ ip: '10.1.2.3', hostnames: ['db'] }]),
      '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n10.1.2.3\tdb\n',
    );
  });

  test('is mounted once the pod has an IP, at once on the host network, and not where the container mounts /etc/hosts', () => {
    const pod = { spec: { containers: [{ name: 'c' }] } };
    assert.equal(shouldMountHostsFile(pod, []), false);
    assert.equal(shouldMountHostsFile(pod, ['10.244.0.5']), true);
    assert.equal(shouldMountHostsFile({ spec: { hostNetwork: true, containers: [] } }, []), true);
    assert.equal(mountsOwnEtcHosts({ name: 'c', volumeMounts: [{ name: 'h', mountPath: '/etc/hosts' }] }), true);
    assert.equal(mountsOwnEtcHosts({ name: 'c', volumeMounts: [{ name: 'h', mountPath: '/etc/other' }] }), false);
  });

  test('is written to ROOT/pods/UID/etc-hosts with mode 0644, in place so a running container sees a rewrite', async () => {
    await withDir(async (dir) => {
      const path = etcHostsFilePath(dir, 'uid-1');
      assert.equal(path, join(dir, 'pods', 'uid-1', 'etc-hosts'));
      const mount = await makeHostsMount({ path, podIPs: ['10.244.0.5'], hostname: 'web-0', domain: '', hostNetwork: false });
      assert.deepEqual(mount, { containerPath: '/etc/hosts', hostPath: path, readonly: false, selinuxRelabel: true });
      const first = await stat(path);
      assert.equal(first.mode & 0o777, 0o644);
      await ensureHostsFile({ path, podIPs: ['10.244.0.6'], hostname: 'web-0', domain: '', hostNetwork: false });
      assert.equal((await stat(path)).ino, first.ino);
      assert.match(await readFile(path, 'utf8'), /\n10\.244\.0\.6\tweb-0\n$/);
    });
  });

  test('of a host-network pod copies the node file, and a missing node file is an error in Go words', async () => {
    await withDir(async (dir) => {
      const nodeHosts = join(dir, 'node-hosts');
      await writeFile(nodeHosts, '127.0.0.1\tlocalhost\n192.0.2.2\tnode1\n');
      const path = join(dir, 'etc-hosts');
      await ensureHostsFile({ path, podIPs: [], hostname: 'x', domain: '', hostNetwork: true, nodeHostsPath: nodeHosts, hostAliases: [{ ip: '10.9.9.9', hostnames: ['svc'] }] });
      assert.equal(await readFile(path, 'utf8'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n192.0.2.2\tnode1\n\n# Entries added by HostAliases.\n10.9.9.9\tsvc\n');
      const missing = join(dir, 'missing');
      await assert.rejects(ensureHostsFile({ path, podIPs: [], hostname: 'x', domain: '', hostNetwork: true, nodeHostsPath: missing }), (e: unknown) => e instanceof EtcHostsError && e.message === `open ${missing}: no such file or directory`);
    });
  });
});
