import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeletHttpError } from './container-log-request.js';
import { parseStreamRoute, remoteCommandOptions } from './stream-routes.js';

describe('kubelet streaming routes', () => {
  test('exec and attach paths name the namespace, pod and container', () => {
    assert.deepEqual(parseStreamRoute('/exec/ns/p/c'), { kind: 'exec', namespace: 'ns', pod: 'p', container: 'c' });
    assert.deepEqual(parseStreamRoute('/attach/ns/p/c'), { kind: 'attach', namespace: 'ns', pod: 'p', container: 'c' });
  });

  test('exec and attach paths may carry the pod UID before the container', () => {
    assert.deepEqual(parseStreamRoute('/exec/ns/p/1234-abcd/c'), { kind: 'exec', namespace: 'ns', pod: 'p', uid: '1234-abcd', container: 'c' });
    assert.deepEqual(parseStreamRoute('/attach/ns/p/u/c'), { kind: 'attach', namespace: 'ns', pod: 'p', uid: 'u', container: 'c' });
  });

  test('port-forward paths name the pod, with or without its UID', () => {
    assert.deepEqual(parseStreamRoute('/portForward/ns/p'), { kind: 'portForward', namespace: 'ns', pod: 'p' });
    assert.deepEqual(parseStreamRoute('/portForward/ns/p/u'), { kind: 'portForward', namespace: 'ns', pod: 'p', uid: 'u' });
  });

  test('a trailing slash is ignored and escaped segments are decoded', () => {
    assert.deepEqual(parseStreamRoute('/portForward/ns/p/'), { kind: 'portForward', namespace: 'ns', pod: 'p' });
    assert.deepEqual(parseStreamRoute('/exec/ns/p/my%20c'), { kind: 'exec', namespace: 'ns', pod: 'p', container: 'my c' });
  });

  test('paths with the wrong number of segments or another verb are not streaming routes', () => {
    assert.equal(parseStreamRoute('/exec/ns/p'), undefined);
    assert.equal(parseStreamRoute('/exec/ns/p/u/c/extra'), undefined);
    assert.equal(parseStreamRoute('/portForward/ns'), undefined);
    assert.equal(parseStreamRoute('/portForward/ns/p/u/extra'), undefined);
    assert.equal(parseStreamRoute('/containerLogs/ns/p/c'), undefined);
    assert.equal(parseStreamRoute('/portforward/ns/p'), undefined);
    assert.equal(parseStreamRoute('/'), undefined);
  });

  test(
    'a path with a malformed escape is not a streaming route rather than an exception',
    () => {
      assert.equal(parseStreamRoute('/exec/ns/%zz/c'), undefined);
    },
  );

  test('each stream is asked for with "1" (or "true") in the query', () => {
    assert.deepEqual(remoteCommandOptions(new URLSearchParams('input=1&output=1&error=1')), { stdin: true, stdout: true, stderr: true, tty: false });
    assert.deepEqual(remoteCommandOptions(new URLSearchParams('output=true')), { stdin: false, stdout: true, stderr: false, tty: false });
    assert.deepEqual(remoteCommandOptions(new URLSearchParams('output=0&error=1')), { stdin: false, stdout: false, stderr: true, tty: false });
  });

  test('a TTY drops stderr, as its output is merged into stdout', () => {
    assert.deepEqual(remoteCommandOptions(new URLSearchParams('input=1&output=1&error=1&tty=1')), { stdin: true, stdout: true, stderr: false, tty: true });
  });

  test('asking for no stream at all is a 400', () => {
    const isNoStreams = (e: unknown): boolean => e instanceof KubeletHttpError && e.code === 400 && e.message === 'you must specify at least 1 of stdin, stdout, stderr';
    assert.throws(() => remoteCommandOptions(new URLSearchParams('')), isNoStreams);
    assert.throws(() => remoteCommandOptions(new URLSearchParams('tty=1')), isNoStreams);
    assert.throws(() => remoteCommandOptions(new URLSearchParams('error=1&tty=1')), isNoStreams);
    assert.throws(() => remoteCommandOptions(new URLSearchParams('input=yes&output=2')), isNoStreams);
  });
});
