import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatImageTable, humanSize } from './images-command.js';

describe('k8ts images list', () => {
  test('sizes read as crictl prints them, in decimal units', () => {
    assert.equal(humanSize(999), '999B');
    assert.equal(humanSize(1000), '1kB');
    assert.equal(humanSize(1_234_567), '1.23MB');
    assert.equal(humanSize(742_000), '742kB');
    assert.equal(humanSize(2_500_000_000), '2.5GB');
  });

  test('the table lists the images by reference with a short digest', () => {
    const out = formatImageTable([
      { ref: 'registry.k8s.io/pause:3.10', digest: `sha256:${'b'.repeat(64)}`, size: 1_100_000 },
      { ref: 'docker.io/library/busybox:latest', digest: `sha256:${'a'.repeat(64)}`, size: 1_234_567 },
    ]);
    assert.equal(
      out,
      'IMAGE                              DIGEST          SIZE\n' +
        `docker.io/library/busybox:latest   ${'a'.repeat(13)}   1.23MB\n` +
        `registry.k8s.io/pause:3.10         ${'b'.repeat(13)}   1.1MB\n`,
    );
  });
});
