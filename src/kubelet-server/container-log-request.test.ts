import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { containerForLogs, KubeletHttpError, parseContainerLogQuery } from './container-log-request.js';

function pod(status: Partial<ContainerStatus>): Pod {
  return {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c' }] },
    status: { containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, ...status }] },
  };
}

const refusal = (code: number, message: string) => (e: unknown): boolean => e instanceof KubeletHttpError && e.code === code && e.message === message;

describe('which container answers a log request', () => {
  test('a running container answers with its own id', () => {
    assert.equal(containerForLogs('p', pod({ containerID: 'containerd://abc', state: { running: {} } }), 'c', false), 'abc');
  });

  test('previous answers with the last terminated container, and says when there is none', () => {
    const p = pod({ containerID: 'containerd://new', state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://old' } } });
    assert.equal(containerForLogs('p', p, 'c', true), 'old');
    assert.throws(() => containerForLogs('p', pod({ state: { running: {} } }), 'c', true), refusal(400, 'previous terminated container "c" in pod "p" not found'));
  });

  test('a waiting container after a restart answers with the last one', () => {
    const p = pod({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://old' } } });
    assert.equal(containerForLogs('p', p, 'c', false), 'old');
  });

  test('a container that never started says why, with upstream wording for image pulls', () => {
    assert.throws(() => containerForLogs('p', pod({ state: { waiting: { reason: 'ContainerCreating' } } }), 'c', false), refusal(400, 'container "c" in pod "p" is waiting to start: ContainerCreating'));
    assert.throws(() => containerForLogs('p', pod({ state: { waiting: { reason: 'ErrImagePull' } } }), 'c', false), refusal(400, `container "c" in pod "p" is waiting to start: image can't be pulled`));
    assert.throws(() => containerForLogs('p', pod({ state: { waiting: { reason: 'ImagePullBackOff' } } }), 'c', false), refusal(400, 'container "c" in pod "p" is waiting to start: trying and failing to pull image'));
    assert.throws(() => containerForLogs('p', pod({ state: {} }), 'c', false), refusal(400, 'container "c" in pod "p" is waiting to start - no logs yet'));
    assert.throws(() => containerForLogs('p', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }, 'c', false), refusal(400, 'container "c" in pod "p" is not available'));
  });

  test('a terminated state without an id falls back to the last one, else says terminated', () => {
    const p = pod({ state: { terminated: { exitCode: 0 } }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://old' } } });
    assert.equal(containerForLogs('p', p, 'c', false), 'old');
    assert.throws(() => containerForLogs('p', pod({ state: { terminated: { exitCode: 0 } } }), 'c', false), refusal(400, 'container "c" in pod "p" is terminated'));
  });
});

describe('the container log query', () => {
  test('decodes the PodLogOptions fields, with tail as the old name of tailLines', () => {
    assert.deepEqual(parseContainerLogQuery(new URLSearchParams('follow=true&timestamps=1&tailLines=3&limitBytes=10&previous=false')), { follow: true, timestamps: true, tailLines: 3, limitBytes: 10, previous: false });
    assert.deepEqual(parseContainerLogQuery(new URLSearchParams('tail=5')), { tailLines: 5 });
    assert.deepEqual(parseContainerLogQuery(new URLSearchParams('tail=all')), {});
  });

  test('undecodable values give 400 and invalid options 422, with upstream texts', () => {
    assert.throws(() => parseContainerLogQuery(new URLSearchParams('follow=yes')), refusal(400, '{"message": "Unable to decode query."}'));
    assert.throws(() => parseContainerLogQuery(new URLSearchParams('tailLines=x')), refusal(400, '{"message": "Unable to decode query."}'));
    assert.throws(() => parseContainerLogQuery(new URLSearchParams('tailLines=-1')), refusal(422, '{"message": "Invalid request."}'));
    assert.throws(() => parseContainerLogQuery(new URLSearchParams('sinceSeconds=1&sinceTime=2020-01-01T00:00:00Z')), refusal(422, '{"message": "Invalid request."}'));
  });
});
