// `kubectl logs` through the API server and the kubelet's HTTPS server, against `k8ts server` with its node agent
// on real containerd: the API server proxies pods/log to the kubelet at the node's InternalIP (127.0.0.1 here, so that
// everything stays on loopback) on the port it publishes (a free one in tests; 10250 by default) with its kubelet-client certificate, and the kubelet reads the
// container's CRI log file. Host-network busybox pods run only echo/sleep/cat. Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { K8tsServer, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer as container, hostNetworkPod, importBusybox, stopNodeAgent, waitForNode } from './support/node-agent-fixture.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

const run = promisify(execFile);

const skipReason = containerdTestSkipReason;

const skip = skipReason();

describe('kubectl logs through the API server and the kubelet', { skip }, () => {
  let server: K8tsServer;
  let nodeName = '';
  const { env, kubectl, kubectlResult, pod, status } = agentKubectl(() => server.kubeconfig);
  const hostPod = (name: string, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): string => hostNetworkPod(name, nodeName, containers, extra);

  before(async () => {
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--node-ip', '127.0.0.1', '--disable-scheduler'] });
    nodeName = await waitForNode(kubectl, 20_000);
    await importBusybox(server.dataDir);
  });
  after(async () => {
    await stopNodeAgent(server, kubectl);
  });

  test("the node's kubelet endpoint is its loopback InternalIP and the port its kubelet server listens on", async () => {
    const addr = await kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address} {.status.daemonEndpoints.kubeletEndpoint.Port}']);
    const [ip, port] = addr.split(' ');
    assert.equal(ip, '127.0.0.1');
    // The test server asks for a free port (--kubelet-port 0); the node publishes the one it got.
    assert.ok(Number(port) > 0 && Number(port) !== 10250, addr);
    const listening = (await run('ss', ['-Hltn', `sport = :${port ?? ''}`])).stdout;
    assert.match(listening, /127\.0\.0\.1:\d+/);
  });

  test('kubectl logs prints what the container wrote on stdout and stderr, --tail keeps the last lines and --timestamps prefixes them', async () => {
    await kubectl(['apply', '-f', '-'], hostPod('talker', [container('main', 'echo one; echo two; echo three; sleep 1; echo four >&2; exec sleep 3610')]));
    await waitFor('talker Running', async () => (await status('talker'))?.state?.running !== undefined, 30_000);
    await waitFor('talker wrote four lines', async () => (await kubectl(['logs', 'talker'])).split('\n').length >= 5, 10_000);
    assert.equal(await kubectl(['logs', 'talker']), 'one\ntwo\nthree\nfour\n');
    assert.equal(await kubectl(['logs', 'talker', '--tail=2']), 'three\nfour\n');
    const stamped = await kubectl(['logs', 'talker', '--timestamps', '--tail=1']);
    assert.match(stamped, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z four\n$/);
    assert.equal(await kubectl(['logs', 'talker', '--limit-bytes=6']), 'one\ntw');
    assert.equal(await kubectl(['logs', 'pod/talker', '-c', 'main', '--since=1h']), 'one\ntwo\nthree\nfour\n');
  });

  test('-c picks one of two containers, and without it the API server names the choices', async () => {
    await kubectl(['apply', '-f', '-'], hostPod('pair', [container('left', 'echo from left; exec sleep 3611'), container('right', 'echo from right; exec sleep 3612')]));
    await waitFor('pair Running', async () => (await pod('pair')).status?.containerStatuses?.every((c) => c.state?.running !== undefined) === true, 30_000);
    await waitFor('both wrote', async () => (await kubectl(['logs', 'pair', '-c', 'right'])) !== '', 10_000);
    assert.equal(await kubectl(['logs', 'pair', '-c', 'left']), 'from left\n');
    assert.equal(await kubectl(['logs', 'pair', '-c', 'right']), 'from right\n');
    const missing = await kubectlResult(['logs', 'pair', '-c', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.equal(missing.stderr, 'error: container nope is not valid for pod pair\n');
    // kubectl picks the default container itself; the API server's own answer names the choices.
    const raw = await kubectlResult(['get', '--raw', '/api/v1/namespaces/default/pods/pair/log']);
    assert.notEqual(raw.code, 0);
    assert.match(raw.stderr, /a container name must be specified for pod pair, choose one of: \[left right\]/);
  });

  test('--previous prints the log of the container before the restart', async () => {
    const script = 'n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo run $n; if [ $n -ge 2 ]; then exec sleep 3613; fi; exit 1';
    await kubectl(
      ['apply', '-f', '-'],
      hostPod('restarter', [container('main', script, { volumeMounts: [{ name: 'data', mountPath: '/data' }] })], { volumes: [{ name: 'data', emptyDir: {} }] }),
    );
    await waitFor('restarter running again after its restart', async () => {
      const s = await status('restarter');
      return (s?.restartCount ?? 0) >= 1 && s?.state?.running !== undefined;
    }, 60_000);
    await waitFor('the second run wrote', async () => (await kubectl(['logs', 'restarter'])) !== '', 10_000);
    assert.equal(await kubectl(['logs', 'restarter']), 'run 2\n');
    assert.equal(await kubectl(['logs', 'restarter', '--previous']), 'run 1\n');
    const none = await kubectlResult(['logs', 'talker', '--previous']);
    assert.equal(none.stderr, 'Error from server (BadRequest): previous terminated container "main" in pod "talker" not found\n');
  });

  test('-f streams lines as the container writes them', async () => {
    await kubectl(['apply', '-f', '-'], hostPod('ticker', [container('main', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done')]));
    await waitFor('ticker Running', async () => (await status('ticker'))?.state?.running !== undefined, 30_000);
    await waitFor('the first tick', async () => (await kubectl(['logs', 'ticker'])).includes('tick 0'), 10_000);
    const before = (await kubectl(['logs', 'ticker'])).trim().split('\n');
    const last = Number((before[before.length - 1] ?? '').replace('tick ', ''));
    const follower = spawn('kubectl', ['logs', '-f', 'ticker'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follower.stdout.setEncoding('utf8');
    follower.stdout.on('data', (d: string) => (out += d));
    try {
      // Two ticks written after the follow began come through while kubectl still runs.
      await waitFor(`tick ${last + 2} through kubectl logs -f`, () => out.includes(`tick ${last + 2}\n`), 15_000);
      assert.equal(follower.exitCode, null, 'kubectl logs -f still runs');
      assert.ok(out.startsWith('tick 0\n'), out);
    } finally {
      follower.kill();
    }
  });

  test('the logs of a container still being created give upstream error', async () => {
    // A configMap volume whose ConfigMap does not exist keeps the container in ContainerCreating.
    await kubectl(
      ['apply', '-f', '-'],
      hostPod('creating', [container('main', 'exec sleep 3614', { volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] })], { volumes: [{ name: 'cfg', configMap: { name: 'no-such-config' } }] }),
    );
    await waitFor('creating waits', async () => (await status('creating'))?.state?.waiting?.reason === 'ContainerCreating', 30_000);
    const r = await kubectlResult(['logs', 'creating']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, 'Error from server (BadRequest): container "main" in pod "creating" is waiting to start: ContainerCreating\n');
  });

  test('a pod bound to no node has an empty log', async () => {
    // The scheduler is off: the pod stays unbound, and upstream answers its log with no content.
    const unbound = JSON.parse(hostPod('unbound', [container('main', 'exec sleep 3615')])) as { spec: Record<string, unknown> };
    delete unbound.spec['nodeName'];
    await kubectl(['apply', '-f', '-'], JSON.stringify(unbound));
    assert.deepEqual(await kubectlResult(['get', '--raw', '/api/v1/namespaces/default/pods/unbound/log']), { code: 0, stdout: '', stderr: '' });
  });
});
