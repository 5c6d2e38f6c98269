import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsMounts, parsePids } from './node-teardown.js';
import { clusterNamespaces, mountsUnder } from './cluster-delete.js';

const MOUNTINFO = `22 1 0:21 / / rw,relatime shared:1 - overlay overlay rw
610 26 0:4 net:[4026532999] /run/netns/cni-3fd79008-498f-12e4-67c6-a1ea2899e818 rw shared:5 - nsfs nsfs rw
611 26 0:4 net:[4026533000] /run/netns/k8ts-demo-master rw shared:5 - nsfs nsfs rw
612 26 0:4 mnt:[4026533001] /run/other rw shared:5 - nsfs nsfs rw
700 22 0:60 / /var/lib/k8ts/clusters/demo/demo-node-1/agent/pods/u1/volumes/x rw - tmpfs tmpfs rw
701 22 0:61 / /var/lib/k8ts/clusters/demo/demo-node-1/containerd/state/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - overlay overlay rw
702 22 0:62 / /var/lib/k8ts/clusters/demo2/x rw - tmpfs tmpfs rw`;

describe('node teardown helpers', () => {
  test('pid lists parse one number a line, leaving out blanks and pid 1', () => {
    assert.deepEqual(parsePids('12\n\n 34 \n1\nx\n'), [12, 34]);
  });

  test('network namespace mounts under /run/netns are read with their inodes', () => {
    assert.deepEqual(netnsMounts(MOUNTINFO), [
      { mountPoint: '/run/netns/cni-3fd79008-498f-12e4-67c6-a1ea2899e818', inode: 4026532999 },
      { mountPoint: '/run/netns/k8ts-demo-master', inode: 4026533000 },
    ]);
  });

  test("the mounts under a cluster's directory are listed deepest first, and no other cluster's", () => {
    assert.deepEqual(mountsUnder(MOUNTINFO, '/var/lib/k8ts/clusters/demo'), [
      '/var/lib/k8ts/clusters/demo/demo-node-1/containerd/state/io.containerd.runtime.v2.task/k8s.io/abc/rootfs',
      '/var/lib/k8ts/clusters/demo/demo-node-1/agent/pods/u1/volumes/x',
    ]);
  });

  test("a cluster's namespaces are found by name in ip netns list, not another cluster's", () => {
    const list = 'k8ts-demo-master (id: 0)\nk8ts-demo-node-12 (id: 1)\nk8ts-demo-x-master\nk8ts-demo2-master\ncni-1\n';
    assert.deepEqual(clusterNamespaces(list, 'demo'), ['k8ts-demo-master', 'k8ts-demo-node-12']);
  });
});
