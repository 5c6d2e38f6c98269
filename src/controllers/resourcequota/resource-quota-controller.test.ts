// Live: the resource quota controller, run in this process against a real k8ts server; quotas are applied and
// described with the real kubectl.
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { controllerNames } from '../index.js';
import { K8tsServer, waitFor, writeTemp } from '../../../test/e2e/support/server.js';
import { startResourceQuotaController, type ResourceQuotaControllerHandle } from './resource-quota-controller.js';

/** kubectl without blocking the event loop (the controller under test runs in this process). */
function kubectlAsync(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function quotaYaml(pods: string): string {
  return `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute-resources
spec:
  hard:
    pods: "${pods}"
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
  scopes: ["NotBestEffort"]
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: object-counts
spec:
  hard:
    configmaps: "10"
    count/deployments.apps: "2"
    services.nodeports: "4"
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: best-effort
spec:
  hard:
    pods: "10"
  scopes: ["BestEffort"]
`;
}

function podManifest(name: string, resources?: Record<string, Record<string, string>>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'nginx', image: 'nginx', ...(resources ? { resources } : {}) }] } };
}

const compute = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

describe('resource quota controller against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;
  let rq: ResourceQuotaControllerHandle;
  const ns = 'quota-live';

  before(async () => {
    const disable = controllerNames.includes('resourcequota-controller') ? ['--disable-controller', 'resourcequota'] : [];
    server = await K8tsServer.start({ extraArgs: disable });
    client = new RestClient(readKubeconfig(server.kubeconfig));
    rq = startResourceQuotaController(client);
    await rq.waitForSync();
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // The root CA publisher puts a ConfigMap in every namespace: let it land so that the counts below are exact.
    await waitFor('kube-root-ca.crt', async () => {
      const cms = await client.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${ns}/configmaps`);
      return cms.items.length === 1;
    });
  });

  after(async () => {
    rq.stop();
    client.close();
    await server.destroy();
  });

  const getQuota = (name: string): Promise<ResourceQuota> => client.request<ResourceQuota>('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`);
  const usedOf = async (name: string): Promise<Record<string, string>> => ({ ...((await getQuota(name)).status?.used ?? {}) });
  const waitUsed = async (name: string, want: Record<string, string>, timeoutMs = 10_000): Promise<void> => {
    let last: Record<string, string> = {};
    try {
      await waitFor(`${name} used ${JSON.stringify(want)}`, async () => {
        last = await usedOf(name);
        return JSON.stringify(last) === JSON.stringify(want);
      }, timeoutMs);
    } catch (e: unknown) {
      assert.deepEqual(last, want, e instanceof Error ? e.message : String(e));
    }
  };

  test('an applied quota gets status.hard and the usage of what is already there', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest('web-1', compute));
    const r = await kubectlAsync(server.kubeconfig, ['apply', '-n', ns, '-f', writeTemp('quota.yaml', quotaYaml('4'))]);
    assert.equal(r.code, 0, r.stderr);
    await waitUsed('compute-resources', { 'limits.cpu': '500m', 'limits.memory': '512Mi', pods: '1', 'requests.cpu': '250m', 'requests.memory': '256Mi' });
    const q = await getQuota('compute-resources');
    assert.deepEqual(q.status?.hard, { 'limits.cpu': '2', 'limits.memory': '2Gi', pods: '4', 'requests.cpu': '1', 'requests.memory': '1Gi' });
    await waitUsed('object-counts', { configmaps: '1', 'count/deployments.apps': '0', 'services.nodeports': '0' });
    await waitUsed('best-effort', { pods: '0' });
  });

  test('new pods, configmaps, deployments and services are counted promptly', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest('web-2', compute));
    await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podManifest('idle'));
    for (const name of ['a', 'b', 'c']) await client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
    const r = await kubectlAsync(server.kubeconfig, ['create', 'deployment', 'web', '--image=nginx', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    const s = await kubectlAsync(server.kubeconfig, ['create', 'service', 'nodeport', 'np', '--tcp=80:80', '-n', ns]);
    assert.equal(s.code, 0, s.stderr);
    // The best-effort pod is charged to the BestEffort quota only (quota admission refuses a best-effort pod where an
    // unscoped compute quota demands limits).
    await waitUsed('compute-resources', { 'limits.cpu': '1', 'limits.memory': '1Gi', pods: '2', 'requests.cpu': '500m', 'requests.memory': '512Mi' });
    await waitUsed('object-counts', { configmaps: '4', 'count/deployments.apps': '1', 'services.nodeports': '1' });
    await waitUsed('best-effort', { pods: '1' });
  });

  test('kubectl describe quota prints used and hard as upstream', async () => {
    const r = await kubectlAsync(server.kubeconfig, ['describe', 'quota', 'compute-resources', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Name:\s+compute-resources$/m);
    assert.match(r.stdout, /^Namespace:\s+quota-live$/m);
    assert.match(r.stdout, /^Resource\s+Used\s+Hard$/m);
    const rows = r.stdout
      .split('\n')
      .filter((l) => /^(limits|requests|pods)/.test(l))
      .map((l) => l.trim().split(/\s+/).join(' '));
    assert.deepEqual(rows, ['limits.cpu 1 2', 'limits.memory 1Gi 2Gi', 'pods 2 4', 'requests.cpu 500m 1', 'requests.memory 512Mi 1Gi']);
    const scoped = await kubectlAsync(server.kubeconfig, ['describe', 'quota', 'best-effort', '-n', ns]);
    assert.match(scoped.stdout, /^Scopes:\s+BestEffort$/m);
    assert.match(scoped.stdout, /^pods\s+1\s+10$/m);
  });

  test('a deleted pod and a pod that succeeded are no longer charged', async () => {
    await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/web-1?gracePeriodSeconds=0`);
    await waitUsed('compute-resources', { 'limits.cpu': '500m', 'limits.memory': '512Mi', pods: '1', 'requests.cpu': '250m', 'requests.memory': '256Mi' });
    const pod = await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/web-2`);
    await client.request('PUT', `/api/v1/namespaces/${ns}/pods/web-2/status`, { ...pod, status: { ...pod.status, phase: 'Succeeded' } });
    await waitUsed('compute-resources', { 'limits.cpu': '0', 'limits.memory': '0', pods: '0', 'requests.cpu': '0', 'requests.memory': '0' });
    await client.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/a`);
    await waitUsed('object-counts', { configmaps: '3', 'count/deployments.apps': '1', 'services.nodeports': '1' });
  });

  test('changing spec.hard updates status.hard and drops usage of names no longer limited', async () => {
    const r = await kubectlAsync(server.kubeconfig, ['patch', 'quota', 'object-counts', '-n', ns, '--type=json', '-p', '[{"op":"remove","path":"/spec/hard/configmaps"},{"op":"add","path":"/spec/hard/secrets","value":"5"}]']);
    assert.equal(r.code, 0, r.stderr);
    await waitUsed('object-counts', { 'count/deployments.apps': '1', secrets: '0', 'services.nodeports': '1' });
    assert.deepEqual((await getQuota('object-counts')).status?.hard, { 'count/deployments.apps': '2', secrets: '5', 'services.nodeports': '4' });
    const get = await kubectlAsync(server.kubeconfig, ['get', 'quota', '-n', ns, 'object-counts', '--no-headers']);
    assert.match(get.stdout, /^object-counts\s+\S+\s+count\/deployments\.apps: 1\/2, secrets: 0\/5, services\.nodeports: 1\/4\s*$/m);
  });
});
