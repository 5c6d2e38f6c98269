import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeRuntime } from '../cri/index.js';
import { Backoff } from './crash-loop-backoff.js';
import { ImagePuller, applyDefaultImageTag } from './image-puller.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [] } };

function setup(opts: ConstructorParameters<typeof FakeRuntime>[0] = {}) {
  let now = 1_000_000;
  const events: string[] = [];
  const fake = new FakeRuntime(opts);
  const puller = new ImagePuller(fake, (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`), new Backoff({ clock: () => now }), () => now);
  return { fake, puller, events, advance: (ms: number) => (now += ms) };
}

describe('ImagePuller', () => {
  test('an image without tag or digest gets :latest', () => {
    assert.equal(applyDefaultImageTag('busybox'), 'busybox:latest');
    assert.equal(applyDefaultImageTag('localhost:5000/x'), 'localhost:5000/x:latest');
    assert.equal(applyDefaultImageTag('busybox:1.36'), 'busybox:1.36');
    assert.equal(applyDefaultImageTag('busybox@sha256:abc'), 'busybox@sha256:abc');
  });

  test('a present image with IfNotPresent is not pulled', async () => {
    const { puller, events, fake } = setup({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'busybox:latest' }] });
    const r = await puller.ensureImageExists(pod, { name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent' });
    assert.equal(r.ok, true);
    assert.deepEqual(events, ['Normal Pulled Container image "busybox" already present on machine']);
    assert.equal(fake.calls.some((c) => c.method === 'PullImage'), false);
  });

  test('Always pulls and reports the time and size', async () => {
    const { puller, events } = setup({ registry: [{ ref: 'busybox:latest', size: 1234 }] });
    const r = await puller.ensureImageExists(pod, { name: 'c', image: 'busybox', imagePullPolicy: 'Always' });
    assert.equal(r.ok, true);
    assert.equal(events[0], 'Normal Pulling Pulling image "busybox"');
    assert.equal(events[1], 'Normal Pulled Successfully pulled image "busybox" in 0s (0s including waiting). Image size: 1234 bytes.');
  });

  test('Never with an absent image gives ErrImageNeverPull', async () => {
    const { puller, events } = setup();
    const r = await puller.ensureImageExists(pod, { name: 'c', image: 'busybox', imagePullPolicy: 'Never' });
    assert.deepEqual(r, { ok: false, reason: 'ErrImageNeverPull', message: 'Container image "busybox" is not present with pull policy of Never' });
    assert.deepEqual(events, ['Warning ErrImageNeverPull Container image "busybox" is not present with pull policy of Never']);
  });

  test('a failed pull gives ErrImagePull, then ImagePullBackOff until the back-off has passed', async () => {
    const { puller, events, advance } = setup();
    const c = { name: 'c', image: 'nothere:1', imagePullPolicy: 'IfNotPresent' };
    const first = await puller.ensureImageExists(pod, c);
    assert.equal(first.ok, false);
    assert.equal(first.ok === false && first.reason, 'ErrImagePull');
    assert.match(events[1] ?? '', /^Warning Failed Failed to pull image "nothere:1": /);
    advance(5000);
    const second = await puller.ensureImageExists(pod, c);
    assert.deepEqual(second, { ok: false, reason: 'ImagePullBackOff', message: 'Back-off pulling image "nothere:1"' });
    assert.equal(events[2], 'Normal BackOff Back-off pulling image "nothere:1"');
    advance(5000);
    const third = await puller.ensureImageExists(pod, c);
    assert.equal(third.ok === false && third.reason, 'ErrImagePull');
  });
});
