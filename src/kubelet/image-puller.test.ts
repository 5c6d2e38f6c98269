import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { FakeRuntime, type PullImageRequest, type PullImageResponse } from '../cri/index.js';
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

  describe('with imagePullSecrets', () => {
    const b64 = (x: string): string => Buffer.from(x).toString('base64');
    const secret = (name: string, auths: Record<string, unknown>): Secret => ({
      metadata: { name, namespace: 'default' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
    });
    /** A registry that serves its images only to alice with password right. */
    class PrivateRegistry extends FakeRuntime {
      override async pullImage(req: PullImageRequest): Promise<PullImageResponse> {
        if (req.auth?.username !== 'alice' || req.auth.password !== 'right') {
          this.calls.push({ method: 'PullImage', request: req });
          throw new Error(`failed to authorize as ${JSON.stringify(req.auth?.username ?? null)}: 401 Unauthorized`);
        }
        return super.pullImage(req);
      }
    }
    const private_ = (secrets: Secret[]) => {
      const events: string[] = [];
      const fake = new PrivateRegistry({ registry: [{ ref: 'reg.example.test:5000/app:1', size: 10 }] });
      const byName = new Map(secrets.map((x) => [`${x.metadata?.namespace}/${x.metadata?.name}`, x]));
      const puller = new ImagePuller(fake, (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`), new Backoff(), Date.now, (ns, name) => Promise.resolve(byName.get(`${ns}/${name}`)));
      const pulls = (): (PullImageRequest['auth'] | undefined)[] => fake.calls.filter((c) => c.method === 'PullImage').map((c) => (c.request as PullImageRequest).auth);
      return { puller, events, pulls };
    };
    const podWith = (...names: string[]): Pod => ({ ...pod, spec: { containers: [], imagePullSecrets: names.map((name) => ({ name })) } });
    const app = { name: 'c', image: 'reg.example.test:5000/app:1', imagePullPolicy: 'Always' };

    test('the matching credential is passed to PullImage', async () => {
      const { puller, pulls } = private_([secret('creds', { 'reg.example.test:5000': { auth: b64('alice:right') } })]);
      const r = await puller.ensureImageExists(podWith('creds'), app);
      assert.equal(r.ok, true);
      assert.deepEqual(pulls(), [{ username: 'alice', password: 'right' }]);
    });

    test('each matching credential is tried in turn until one pulls', async () => {
      const { puller, pulls } = private_([
        secret('wrong', { 'reg.example.test:5000': { username: 'alice', password: 'wrong' } }),
        secret('right', { 'reg.example.test:5000/app': { username: 'alice', password: 'right' } }),
      ]);
      const r = await puller.ensureImageExists(podWith('wrong', 'right'), app);
      assert.equal(r.ok, true);
      assert.deepEqual(pulls(), [{ username: 'alice', password: 'wrong' }, { username: 'alice', password: 'right' }]);
    });

    test('when every credential fails, the errors of all tries are the ErrImagePull message', async () => {
      const { puller, pulls } = private_([secret('a', { 'reg.example.test:5000': { username: 'x', password: '1' } }), secret('b', { 'reg.example.test:5000': { username: 'y', password: '2' } })]);
      const r = await puller.ensureImageExists(podWith('a', 'b'), app);
      assert.deepEqual(r, { ok: false, reason: 'ErrImagePull', message: '[failed to authorize as "x": 401 Unauthorized, failed to authorize as "y": 401 Unauthorized]' });
      assert.equal(pulls().length, 2);
    });

    test('a credential for another registry is not sent: the pull is anonymous', async () => {
      const { puller, pulls } = private_([secret('other', { 'other.example.test': { username: 'alice', password: 'right' } })]);
      const r = await puller.ensureImageExists(podWith('other'), app);
      assert.equal(r.ok === false && r.reason, 'ErrImagePull');
      assert.deepEqual(pulls(), [undefined]);
    });

    test('a pull secret that does not exist is a warning event, and the pull goes on', async () => {
      const { puller, events, pulls } = private_([secret('creds', { 'reg.example.test:5000': { username: 'alice', password: 'right' } })]);
      const r = await puller.ensureImageExists(podWith('missing', 'creds', 'gone'), app);
      assert.equal(r.ok, true);
      assert.equal(events[0], 'Warning FailedToRetrieveImagePullSecret Unable to retrieve some image pull secrets (missing, gone); attempting to pull the image may not succeed.');
      assert.equal(pulls().length, 1);
    });

    test('a pull secret that is not a docker config fails the pull', async () => {
      const bad: Secret = { metadata: { name: 'bad', namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('nope') } };
      const { puller, events, pulls } = private_([bad]);
      const r = await puller.ensureImageExists(podWith('bad'), app);
      assert.equal(r.ok === false && r.reason, 'ErrImagePull');
      assert.match(events[1] ?? '', /^Warning Failed Failed to pull image "reg\.example\.test:5000\/app:1": secret default\/bad \.dockerconfigjson: /);
      assert.deepEqual(pulls(), []);
    });
  });
});
