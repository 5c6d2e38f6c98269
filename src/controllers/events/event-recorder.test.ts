// Live: the recorder against a real k8ts server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { K8tsServer } from '../../../test/e2e/support/server.js';
import { EventRecorder, objectReference } from './event-recorder.js';

interface EventJson {
  metadata: { name: string };
  count?: number;
  message?: string;
  reason?: string;
  type?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  involvedObject: Record<string, unknown>;
  source?: Record<string, unknown>;
  reportingComponent?: string;
  reportingInstance?: string;
}

describe('EventRecorder against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;

  before(async () => {
    server = await K8tsServer.start();
    client = new RestClient(readKubeconfig(server.kubeconfig));
  });

  after(async () => {
    client.close();
    await server.destroy();
  });

  async function eventsAbout(name: string): Promise<EventJson[]> {
    const list = await client.request<{ items: EventJson[] }>('GET', `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`);
    return list.items;
  }

  test('two identical events become one Event with count 2', async () => {
    const cm = await client.request<{ metadata: { name: string; namespace: string; uid: string; resourceVersion: string } }>('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'twice' },
    });
    const recorder = new EventRecorder(client, { component: 'test-controller', host: 'node-a' });
    const involved = { apiVersion: 'v1', kind: 'ConfigMap', metadata: cm.metadata };
    recorder.event(involved, 'Warning', 'FailedCreate', 'Error creating: %v', 'boom');
    recorder.event(involved, 'Warning', 'FailedCreate', 'Error creating: %v', 'boom');
    await recorder.flush();
    const events = await eventsAbout('twice');
    assert.equal(events.length, 1, JSON.stringify(events));
    const e = events[0];
    assert.ok(e !== undefined);
    assert.equal(e.count, 2);
    assert.equal(e.message, 'Error creating: boom');
    assert.equal(e.type, 'Warning');
    assert.equal(e.reason, 'FailedCreate');
    assert.match(e.metadata.name, /^twice\.[0-9a-f]+$/);
    assert.deepEqual(e.involvedObject, { kind: 'ConfigMap', namespace: 'default', name: 'twice', uid: cm.metadata.uid, apiVersion: 'v1', resourceVersion: cm.metadata.resourceVersion });
    assert.deepEqual(e.source, { component: 'test-controller', host: 'node-a' });
    assert.equal(e.reportingComponent, 'test-controller');
    assert.equal(e.reportingInstance, 'node-a');
    assert.ok(e.firstTimestamp !== undefined && e.lastTimestamp !== undefined && e.firstTimestamp <= e.lastTimestamp);
  });

  test('different messages are separate Events, and recording never throws even when the server refuses', async () => {
    const recorder = new EventRecorder(client, { component: 'test-controller' });
    const involved = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'default', uid: 'u-1' } };
    recorder.event(involved, 'Normal', 'SuccessfulCreate', 'Created pod: %v', 'a');
    recorder.event(involved, 'Normal', 'SuccessfulCreate', 'Created pod: %v', 'b');
    // An invalid reason is refused by validation; the caller is not affected.
    recorder.event({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid!', namespace: 'no-such-namespace' } }, 'Normal', 'X', 'y');
    await recorder.flush();
    const events = await eventsAbout('other');
    assert.deepEqual(events.map((e) => e.message).sort(), ['Created pod: a', 'Created pod: b']);
    assert.ok(events.every((e) => e.count === 1));
  });
});

describe('objectReference', () => {
  test('carries the field path of the part of the object an event is about, and leaves it out otherwise', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: 'default', uid: 'u1' } };
    assert.deepEqual(objectReference({ ...pod, fieldPath: 'spec.containers{nginx}' }), { kind: 'Pod', namespace: 'default', name: 'nginx', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{nginx}' });
    assert.equal(objectReference(pod).fieldPath, undefined);
  });
});
