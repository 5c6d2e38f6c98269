// Captures the protobuf bodies the real kubectl sends and decodes them: a tiny HTTP server answers
// discovery and records every POST, and kubectl runs against it with --server.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apiGroupList, apiResourceList } from '../../apiserver/discovery.js';
import { decodeKubernetesProtobuf, kubernetesProtobufContentType } from './decode-kubernetes-protobuf.js';

const run = promisify(execFile);
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

interface Captured {
  path: string;
  contentType: string;
  body: Buffer;
}

const cronJob = {
  kind: 'CronJob',
  apiVersion: 'batch/v1',
  metadata: { name: 'nightly', namespace: 'default', uid: 'cj-uid' },
  spec: {
    schedule: '0 3 * * *',
    jobTemplate: {
      spec: {
        backoffLimit: 2,
        template: {
          metadata: { labels: { job: 'nightly' } },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'task',
                image: 'busybox',
                args: ['run'],
                ports: [{ name: 'metrics', containerPort: 9090 }],
                env: [{ name: 'LEVEL', value: 'debug' }],
                resources: { limits: { cpu: '500m', memory: '64Mi' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 5 },
              },
            ],
            tolerations: [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
      },
    },
  },
};

function answer(res: ServerResponse, code: number, value: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function respond(req: IncomingMessage, res: ServerResponse, body: Buffer, captured: Captured[]): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'POST') {
    captured.push({ path, contentType: req.headers['content-type'] ?? '', body });
    answer(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    return;
  }
  if (path === '/api') return answer(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
  if (path === '/apis') return answer(res, 200, apiGroupList());
  if (path === '/api/v1') return answer(res, 200, apiResourceList('', 'v1'));
  const group = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  const list = group === null ? undefined : apiResourceList(group[1] ?? '', group[2] ?? '');
  if (list !== undefined) return answer(res, 200, list);
  if (path === '/apis/batch/v1/namespaces/default/cronjobs/nightly') return answer(res, 200, cronJob);
  answer(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
}

describe('request bodies sent by the real kubectl', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => respond(req, res, Buffer.concat(chunks), captured));
  });
  let home = '';
  let serverUrl = '';

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'k8ts-protobuf-'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs kubectl and returns the one body it POSTed, decoded. */
  async function kubectl(...args: string[]): Promise<Record<string, unknown>> {
    const start = captured.length;
    await run('kubectl', ['--server', serverUrl, ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: join(home, 'config') }, timeout: 30_000 });
    const posted = captured.slice(start);
    assert.equal(posted.length, 1, `kubectl ${args.join(' ')} posted ${posted.length} bodies`);
    const [request] = posted;
    assert.ok(request !== undefined);
    assert.equal(request.contentType, kubernetesProtobufContentType);
    return decodeKubernetesProtobuf(request.body).object;
  }

  test('create configmap sends a ConfigMap', async () => {
    const object = await kubectl('create', 'configmap', 'settings', '--from-literal=a=b', '--from-literal=c=d');
    assert.deepEqual(object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', creationTimestamp: null }, data: { a: 'b', c: 'd' } });
  });

  test('create secret generic sends binary file content as base64 data', async () => {
    const file = join(home, 'blob.bin');
    writeFileSync(file, Buffer.from([0x00, 0x01, 0xff, 0xfe]));
    const object = await kubectl('create', 'secret', 'generic', 'creds', '--from-literal=user=admin', `--from-file=blob=${file}`);
    assert.deepEqual(object, {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'creds', creationTimestamp: null },
      data: { user: Buffer.from('admin').toString('base64'), blob: 'AAH//g==' },
    });
  });

  test('create namespace sends a Namespace with empty spec and status', async () => {
    const object = await kubectl('create', 'namespace', 'team-a');
    assert.deepEqual(object, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'team-a', creationTimestamp: null }, spec: {}, status: {} });
  });

  test('create deployment sends replicas, selector and the pod template', async () => {
    const object = await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80');
    assert.deepEqual(object, {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  test('create job --from=cronjob copies the whole pod template', async () => {
    const object = await kubectl('create', 'job', 'manual-1', '--from=cronjob/nightly');
    assert.deepEqual(object, {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: {
        name: 'manual-1',
        creationTimestamp: null,
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-uid', controller: true }],
      },
      spec: {
        backoffLimit: 2,
        template: {
          metadata: { creationTimestamp: null, labels: { job: 'nightly' } },
          spec: {
            containers: [
              {
                name: 'task',
                image: 'busybox',
                args: ['run'],
                ports: [{ name: 'metrics', containerPort: 9090 }],
                env: [{ name: 'LEVEL', value: 'debug' }],
                resources: { limits: { cpu: '500m', memory: '64Mi' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 5 },
              },
            ],
            restartPolicy: 'Never',
            tolerations: [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
      },
      status: {},
    });
  });

  test('create priorityclass keeps a zero value', async () => {
    const object = await kubectl('create', 'priorityclass', 'low', '--value=0', '--description=background');
    assert.deepEqual(object, {
      kind: 'PriorityClass',
      apiVersion: 'scheduling.k8s.io/v1',
      metadata: { name: 'low', creationTimestamp: null },
      value: 0,
      description: 'background',
      preemptionPolicy: 'PreemptLowerPriority',
    });
  });

  test('auth can-i sends a SelfSubjectAccessReview', async () => {
    const start = captured.length;
    // The stub answers "Success" without status.allowed, so kubectl prints "no" and exits 1.
    await run('kubectl', ['--server', serverUrl, 'auth', 'can-i', 'list', 'pods', '-n', 'prod'], { env: { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: join(home, 'config') } }).catch(() => undefined);
    const [request] = captured.slice(start);
    assert.ok(request !== undefined);
    assert.deepEqual(decodeKubernetesProtobuf(request.body).object, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'prod', verb: 'list', resource: 'pods' } },
      status: { allowed: false },
    });
  });
});
