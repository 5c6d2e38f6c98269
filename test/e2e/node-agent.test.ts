// `k8ts server` with its node agent, against the real containerd of this machine: this machine registers as a node,
// images are imported with `k8ts images import`, host-network pods run in real containers, survive a restart of
// k8ts, honour their grace period on delete, and report exit codes. Pods use the host's network namespace and run
// only echo/sleep/exit, so nothing leaves the machine (the pod network has its own test, with guards:
// pod-network.test.ts). Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { K8tsServer, k8tsBin, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer, busyboxContainerWith, hostNetworkPod, importBusybox, stopNodeAgent, waitForNode, type PodJson } from './support/node-agent-fixture.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

const run = promisify(execFile);

const skipReason = containerdTestSkipReason;

function hostPod(name: string, nodeName: string, script: string, restartPolicy = 'Always'): string {
  return hostNetworkPod(name, nodeName, [busyboxContainer('main', script)], { restartPolicy, terminationGracePeriodSeconds: 3 });
}

const skip = skipReason();

describe('the node agent of k8ts server', { skip }, () => {
  let server: K8tsServer;
  let nodeName = '';
  const { kubectl, pod } = agentKubectl(() => server.kubeconfig);
  /** The processes of this test's containers: their command lines carry the marker. */
  const containerRuns = async (marker: string): Promise<boolean> => {
    try {
      await run('pgrep', ['-f', marker]);
      return true;
    } catch {
      return false;
    }
  };

  before(async () => {
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--disable-scheduler'] });
  });
  after(async () => {
    await stopNodeAgent(server, kubectl);
  });

  test('this machine registers as a node that runs containerd, with a podCIDR in subnet.env', async () => {
    nodeName = await waitForNode(kubectl, 20_000);
    const wide = await kubectl(['get', 'nodes', '-o', 'wide']);
    assert.match(wide, /control-plane,master/);
    assert.match(wide, /containerd:\/\/1\.6/);
    await waitFor('the podCIDR in subnet.env', () => existsSync(join(server.dataDir, 'subnet.env')), 20_000);
  });

  test('k8ts images import loads an archive that k8ts images list then shows, beside the sandbox image', async () => {
    assert.equal(await importBusybox(server.dataDir), 'imported docker.io/library/busybox:latest\n');
    const list = (await run(process.execPath, [k8tsBin, 'images', 'list', '--data-dir', server.dataDir])).stdout;
    assert.match(list, /^IMAGE +DIGEST +SIZE\n/);
    assert.match(list, /docker\.io\/library\/busybox:latest/);
    assert.match(list, /registry\.k8s\.io\/pause:3\.10/);
  });

  test('a host-network pod runs in a real container, keeps it across a restart of k8ts, and stops within its grace period', async () => {
    await kubectl(['apply', '-f', '-'], hostPod('sleeper', nodeName, 'echo k8ts-agent-e2e-sleeper; exec sleep 3601'));
    await waitFor('sleeper Running', async () => (await pod('sleeper')).status?.phase === 'Running', 30_000);
    const id = (await pod('sleeper')).status?.containerStatuses?.[0]?.containerID ?? '';
    assert.match(id, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.ok(await containerRuns('sleep 3601'), 'the container process runs on this machine');
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=sleeper', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /Created: Created container: main/);
    assert.match(events, /Started: Started container main/);

    await server.restart();
    assert.ok(await containerRuns('sleep 3601'), 'the container outlived k8ts and its containerd');
    await waitFor('sleeper still Running after the restart', async () => (await pod('sleeper').catch(() => ({}) as PodJson)).status?.phase === 'Running', 30_000);
    const after = (await pod('sleeper')).status?.containerStatuses?.[0];
    assert.equal(after?.containerID, id);
    assert.equal(after?.restartCount, 0);

    const started = Date.now();
    await kubectl(['delete', 'pod', 'sleeper', '--grace-period=3']);
    assert.ok(Date.now() - started < 15_000, `deleted in ${Date.now() - started} ms`);
    assert.equal(await containerRuns('sleep 3601'), false);
  });

  const podWith = (name: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
    hostNetworkPod(name, nodeName, [busyboxContainerWith('main', container)], { terminationGracePeriodSeconds: 2, ...extra });
  const ready = async (name: string): Promise<string> => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);

  test('a failing liveness probe restarts the container, and a readiness probe holds Ready until it passes', async () => {
    await kubectl(['apply', '-f', '-'], podWith('live', { command: ['sh', '-c', 'exec sleep 3602'], livenessProbe: { exec: { command: ['cat', '/nonexistent'] }, periodSeconds: 1, failureThreshold: 2 } }));
    await kubectl(['apply', '-f', '-'], podWith('warm', { command: ['sh', '-c', 'sleep 4; touch /tmp/k8ts-warm-ready; exec sleep 3603'], readinessProbe: { exec: { command: ['cat', '/tmp/k8ts-warm-ready'] }, periodSeconds: 1 } }));
    await waitFor('warm Running but not Ready', async () => (await pod('warm')).status?.phase === 'Running' && (await ready('warm')) === 'False', 30_000);
    await waitFor('warm Ready once its probe passes', async () => (await ready('warm')) === 'True', 30_000);
    await waitFor('live restarted by its liveness probe', async () => ((await pod('live')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 40_000);
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=live', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /Unhealthy: Liveness probe failed: cat: can't open '\/nonexistent': No such file or directory/);
    assert.match(events, /Killing: Container main failed liveness probe, will be restarted/);
    await kubectl(['delete', 'pod', 'live', 'warm', '--grace-period=1']);
  });

  test('a configMap volume follows a change of its ConfigMap in the running container, and a missing key fails as upstream', async () => {
    await kubectl(['create', 'configmap', 'my-config', '--from-literal=mode=v1']);
    await kubectl(
      ['apply', '-f', '-'],
      podWith(
        'watcher',
        { command: ['sh', '-c', 'exec sleep 3604'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }], readinessProbe: { exec: { command: ['grep', '-q', 'v2', '/cfg/mode'] }, periodSeconds: 1 } },
        { volumes: [{ name: 'cfg', configMap: { name: 'my-config' } }] },
      ),
    );
    await waitFor('watcher Running with v1', async () => (await pod('watcher')).status?.phase === 'Running' && (await ready('watcher')) === 'False', 30_000);
    await kubectl(['patch', 'configmap', 'my-config', '-p', '{"data":{"mode":"v2"}}']);
    await waitFor('watcher Ready once the mounted file says v2', async () => (await ready('watcher')) === 'True', 40_000);

    await kubectl(['apply', '-f', '-'], podWith('needs-key', { command: ['sh', '-c', 'exec sleep 3605'], env: [{ name: 'EXTRA', valueFrom: { configMapKeyRef: { name: 'my-config', key: 'extra-param' } } }] }));
    await waitFor('needs-key waiting on its config', async () => JSON.stringify((await pod('needs-key')).status?.containerStatuses ?? []).includes('CreateContainerConfigError'), 30_000);
    const waiting = await kubectl(['get', 'pod', 'needs-key', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']);
    assert.equal(waiting, "couldn't find key extra-param in ConfigMap default/my-config");
    await kubectl(['delete', 'pod', 'watcher', 'needs-key', '--grace-period=1']);
  });

  test('a container that exits 3 under restartPolicy Never leaves its pod Failed with exit code 3', async () => {
    await kubectl(['apply', '-f', '-'], hostPod('exits', nodeName, 'exit 3', 'Never'));
    await waitFor('exits Failed', async () => (await pod('exits')).status?.phase === 'Failed', 30_000);
    const terminated = (await pod('exits')).status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 3);
    assert.equal(terminated?.reason, 'Error');
  });
});
