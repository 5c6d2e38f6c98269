import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCtrPlugins } from './ctr-plugins.js';

// Lines of `ctr plugins ls` of containerd 1.6.20 started by startContainerd, padded as ctr pads them; the overlayfs
// line is from a root on an ext4 without d_type, where that snapshotter fails to load.
const PLUGINS_LS = [
  'TYPE                            ID                       PLATFORMS      STATUS    ',
  'io.containerd.content.v1        content                  -              ok        ',
  'io.containerd.snapshotter.v1    native                   linux/amd64    ok        ',
  'io.containerd.snapshotter.v1    overlayfs                linux/amd64    error     ',
  'io.containerd.grpc.v1           cri                      linux/amd64    ok        ',
  '',
].join('\n');

describe('ctr plugins output', () => {
  test('each plugin reads as type, id, platforms and status, without the header', () => {
    assert.deepEqual(parseCtrPlugins(PLUGINS_LS), [
      { type: 'io.containerd.content.v1', id: 'content', platforms: '-', status: 'ok' },
      { type: 'io.containerd.snapshotter.v1', id: 'native', platforms: 'linux/amd64', status: 'ok' },
      { type: 'io.containerd.snapshotter.v1', id: 'overlayfs', platforms: 'linux/amd64', status: 'error' },
      { type: 'io.containerd.grpc.v1', id: 'cri', platforms: 'linux/amd64', status: 'ok' },
    ]);
  });
});
