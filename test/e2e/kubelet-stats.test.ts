// The kubelet's statistics on real containerd, through `k8ts server` with its node agent: /stats/summary and
// /metrics/resource read with the API server's kubelet-client certificate from the kubelet at the node's loopback
// InternalIP, for host-network busybox pods: a busy loop shows about one core, `sleep` nearly none. The pods' cgroups
// are where containerd (cgroupfs driver) puts them under the kubelet's cgroup parent: /k8ts/pod<uid>/<container id>.
// Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { loadKubeletClientConfig } from '../../src/apiserver/handlers/pod-log.js';
import { detectCgroupVersion } from '../../src/node-status/machine-info.js';
import type { Summary } from '../../src/kubelet/stats/summary.js';
import { K8tsServer, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer, hostNetworkPod, importBusybox, stopNodeAgent, waitForNode } from './support/node-agent-fixture.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

const skipReason = containerdTestSkipReason;

const skip = skipReason();

describe('kubelet statistics on real containerd', { skip }, () => {
  let server: K8tsServer;
  let nodeName = '';
  let kubeletPort = 0;
  const { kubectl, kubectlResult } = agentKubectl(() => server.kubeconfig);
  const kubelet = (path: string): Promise<{ code: number; type: string; body: string }> => {
    const client = loadKubeletClientConfig(server.dataDir);
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: kubeletPort, path, ca: client.caPem, cert: client.certPem, key: client.keyPem, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
      });
      req.on('error', reject);
      req.end();
    });
  };
  const summary = async (): Promise<Summary> => {
    const a = await kubelet('/stats/summary');
    assert.equal(a.code, 200, a.body);
    return JSON.parse(a.body) as Summary;
  };
  const hostPod = (name: string, script: string): string => hostNetworkPod(name, nodeName, [busyboxContainer('main', script)]);

  before(async () => {
    server = await K8tsServer.start({ agent: true, extraArgs: ['--node-ip', '127.0.0.1', '--disable-scheduler'] });
    nodeName = await waitForNode(kubectl, 20_000);
    await waitFor('the kubelet endpoint', async () => (await kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'])).trim() !== '', 20_000);
    kubeletPort = Number((await kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'])).trim());
    await importBusybox(server.dataDir);
    await kubectl(['apply', '-f', '-'], hostPod('spinner', 'while :; do :; done'));
    await kubectl(['apply', '-f', '-'], hostPod('sleeper', 'exec sleep 3600'));
    await waitFor('both pods Running', async () => (await kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}'])).trim() === 'Running Running', 60_000);
  });
  after(async () => {
    await stopNodeAgent(server, kubectl);
  });

  test('the busy loop uses about one core and the sleeper nearly none, per /stats/summary', async () => {
    // Rates need two samples at least a second apart: the first read or the housekeeping round gives the first.
    let s: Summary | undefined;
    await waitFor('usageNanoCores for both containers', async () => {
      s = await summary();
      const pods = s.pods.filter((p) => p.podRef.name === 'spinner' || p.podRef.name === 'sleeper');
      return pods.length === 2 && pods.every((p) => p.containers[0]?.cpu?.usageNanoCores !== undefined);
    }, 30_000);
    // Let the window cover the busy loop for a few seconds.
    await new Promise((r) => setTimeout(r, 3000));
    s = await summary();
    const pod = (name: string): Summary['pods'][number] | undefined => s?.pods.find((p) => p.podRef.name === name);
    const spinner = pod('spinner');
    const sleeper = pod('sleeper');
    assert.equal(spinner?.podRef.namespace, 'default');
    assert.equal(spinner?.containers[0]?.name, 'main');
    const busy = spinner?.containers[0]?.cpu?.usageNanoCores ?? 0;
    const idle = sleeper?.containers[0]?.cpu?.usageNanoCores ?? Infinity;
    assert.ok(busy > 0.5e9, `the busy loop: ${busy} nanocores`);
    assert.ok(idle < 0.05e9, `the sleeper: ${idle} nanocores`);
    assert.ok((spinner?.cpu?.usageNanoCores ?? 0) > 0.5e9, 'the pod cgroup holds the container');
    assert.ok((spinner?.containers[0]?.cpu?.usageCoreNanoSeconds ?? 0) > 1e9);
    assert.ok((sleeper?.containers[0]?.memory?.workingSetBytes ?? 0) > 0);
    assert.ok((s.node.cpu?.usageNanoCores ?? 0) > 0.5e9, 'the node counts the busy loop too');
    assert.ok((s.node.memory?.workingSetBytes ?? 0) > 0);
    assert.ok((s.node.memory?.availableBytes ?? 0) > 0);
    assert.equal(s.node.nodeName, nodeName);
    assert.ok((s.node.fs?.capacityBytes ?? 0) > 0);
    assert.ok(spinner?.['ephemeral-storage'] !== undefined);
    assert.ok(spinner?.containers[0]?.rootfs?.usedBytes !== undefined);
    assert.notEqual(spinner?.containers[0]?.rootfs?.time, '1970-01-01T00:00:00Z');
  });

  test("the runtime's image filesystem shows the imported images once containerd has measured its snapshots", async () => {
    // containerd's CRI plugin measures snapshot usage in a background round every 10 s.
    let last = '';
    await waitFor('imageFs usedBytes', async () => {
      const s = await summary();
      last = JSON.stringify(s.node.runtime);
      return (s.node.runtime?.imageFs?.usedBytes ?? 0) > 0;
    }, 30_000).catch((e: unknown) => assert.fail(`${e instanceof Error ? e.message : String(e)}: ${last}`));
    const s = await summary();
    const img = s.node.runtime?.imageFs;
    assert.ok((img?.capacityBytes ?? 0) >= (img?.usedBytes ?? 0) && (img?.availableBytes ?? 0) > 0);
  });

  test("the containers' cgroups are /k8ts/pod<uid>/<container id> in each hierarchy", async () => {
    const uid = (await kubectl(['get', 'pod', 'spinner', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const id = (await kubectl(['get', 'pod', 'spinner', '-o', 'jsonpath={.status.containerStatuses[0].containerID}'])).trim().replace('containerd://', '');
    const v = await detectCgroupVersion();
    const dir = v === 1 ? join('/sys/fs/cgroup/cpuacct/k8ts', `pod${uid}`, id) : join('/sys/fs/cgroup/k8ts', `pod${uid}`, id);
    assert.ok(existsSync(dir), `${dir} exists`);
  });

  test('/metrics/resource has the stable resource metrics of the pods', async () => {
    const a = await kubelet('/metrics/resource');
    assert.equal(a.code, 200);
    assert.equal(a.type, 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(a.body, /^# HELP container_cpu_usage_seconds_total \[STABLE\] Cumulative cpu time consumed by the container in core-seconds$/m);
    assert.match(a.body, /^container_cpu_usage_seconds_total\{container="main",namespace="default",pod="spinner"\} \S+ \d+$/m);
    assert.match(a.body, /^container_memory_working_set_bytes\{container="main",namespace="default",pod="sleeper"\} \S+ \d+$/m);
    assert.match(a.body, /^container_start_time_seconds\{container="main",namespace="default",pod="spinner"\} \S+$/m);
    assert.match(a.body, /^pod_cpu_usage_seconds_total\{namespace="default",pod="spinner"\} \S+ \d+$/m);
    assert.match(a.body, /^pod_memory_working_set_bytes\{namespace="default",pod="sleeper"\} \S+ \d+$/m);
    assert.match(a.body, /^node_cpu_usage_seconds_total \S+ \d+$/m);
    assert.match(a.body, /^node_memory_working_set_bytes \S+ \d+$/m);
    assert.match(a.body, /^resource_scrape_error 0$/m);
    const cpu = /^container_cpu_usage_seconds_total\{container="main",namespace="default",pod="spinner"\} (\S+)/m.exec(a.body);
    assert.ok(Number(cpu?.[1]) > 1, 'the busy loop has used more than a second of CPU');
  });

  test('nodes/proxy reaches the kubelet through the API server: healthz, the summary, the resource metrics, and its 404', async () => {
    assert.equal(await kubectl(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy/healthz`]), 'ok');
    const s = JSON.parse(await kubectl(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy/stats/summary?only_cpu_and_memory=true`])) as Summary;
    assert.equal(s.node.nodeName, nodeName);
    assert.match(await kubectl(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy/metrics/resource`]), /^node_cpu_usage_seconds_total /m);
    const missing = await kubectlResult(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy/nope`]);
    assert.equal(missing.stderr, 'Error from server (NotFound): the server could not find the requested resource\n');
    const noNode = await kubectlResult(['get', '--raw', '/api/v1/nodes/nonode/proxy/healthz']);
    assert.equal(noNode.stderr, 'Error from server (NotFound): nodes "nonode" not found\n');
  });

  test('the stats need the kubelet-client certificate', async () => {
    const a = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: kubeletPort, path: '/stats/summary', rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(a, 401);
  });
});
