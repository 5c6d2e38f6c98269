// The kubelet features around a container's start and end, on `k8ts server` with its node agent and real containerd:
// service environment variables (and a resourceFieldRef) in a pod's env, postStart and preStop hooks, and termination
// messages (the file, and FallbackToLogsOnError). Host-network busybox pods bound with spec.nodeName, running only
// local commands, so nothing leaves the machine. Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { K8tsServer, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainerWith, hostNetworkPod, importBusybox, stopNodeAgent, waitForNode } from './support/node-agent-fixture.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';

const skipReason = containerdTestSkipReason;

const skip = skipReason();

describe('the kubelet of k8ts server: service env, hooks, termination messages', { skip }, () => {
  let server: K8tsServer;
  let nodeName = '';
  let hooksDir = '';
  const { kubectl, pod } = agentKubectl(() => server.kubeconfig);
  const events = async (name: string): Promise<string> =>
    kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.type} {.reason}: {.message}{"\\n"}{end}']);
  const apply = async (name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<void> => {
    await kubectl(['apply', '-f', '-'], hostNetworkPod(name, nodeName, [busyboxContainerWith('main', container)], { terminationGracePeriodSeconds: 2, ...spec }));
  };

  before(async () => {
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--disable-scheduler'] });
    nodeName = await waitForNode(kubectl, 30_000);
    await importBusybox(server.dataDir);
    hooksDir = join(server.dataDir, 'hooks-out');
  });
  after(async () => {
    await stopNodeAgent(server, kubectl);
  });

  test('a pod sees the variables of a Service created before it, the kubernetes service, and its resourceFieldRefs', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { ports: [{ name: 'http', port: 8080, targetPort: 80 }] } }));
    const ip = (await kubectl(['get', 'service', 'nginx', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const apiIP = (await kubectl(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    await apply(
      'envs',
      {
        command: ['sh', '-c', 'env > /dev/termination-log'],
        resources: { limits: { memory: '64Mi' } },
        env: [
          { name: 'NGINX_URL', value: 'http://$(NGINX_SERVICE_HOST):$(NGINX_SERVICE_PORT_HTTP)' },
          { name: 'MEM_LIMIT_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU_LIMIT_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        ],
      },
      { restartPolicy: 'Never' },
    );
    await waitFor('envs Succeeded', async () => (await pod('envs')).status?.phase === 'Succeeded', 40_000);
    const message = (await pod('envs')).status?.containerStatuses?.[0]?.state?.terminated?.message ?? '';
    const env = new Map(message.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.get('NGINX_SERVICE_HOST'), ip);
    assert.equal(env.get('NGINX_SERVICE_PORT'), '8080');
    assert.equal(env.get('NGINX_SERVICE_PORT_HTTP'), '8080');
    assert.equal(env.get('NGINX_PORT'), `tcp://${ip}:8080`);
    assert.equal(env.get('NGINX_PORT_8080_TCP'), `tcp://${ip}:8080`);
    assert.equal(env.get('NGINX_PORT_8080_TCP_PROTO'), 'tcp');
    assert.equal(env.get('NGINX_PORT_8080_TCP_PORT'), '8080');
    assert.equal(env.get('NGINX_PORT_8080_TCP_ADDR'), ip);
    assert.equal(env.get('KUBERNETES_SERVICE_HOST'), apiIP);
    assert.equal(env.get('NGINX_URL'), `http://${ip}:8080`);
    assert.equal(env.get('MEM_LIMIT_MI'), '64');
    // No cpu limit: the node's allocatable cpu.
    const cpu = (await kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.allocatable.cpu}'])).trim();
    assert.equal(env.get('CPU_LIMIT_M'), String(Number.parseInt(cpu, 10) * 1000));
  });

  test('a pod with enableServiceLinks false sees the kubernetes service only', async () => {
    await apply('nolinks', { command: ['sh', '-c', 'env > /dev/termination-log'] }, { restartPolicy: 'Never', enableServiceLinks: false });
    await waitFor('nolinks Succeeded', async () => (await pod('nolinks')).status?.phase === 'Succeeded', 40_000);
    const message = (await pod('nolinks')).status?.containerStatuses?.[0]?.state?.terminated?.message ?? '';
    assert.match(message, /^KUBERNETES_SERVICE_HOST=/m);
    assert.doesNotMatch(message, /NGINX_/);
  });

  test('postStart runs after the start, preStop runs on delete before the container stops, and a failing preStop is a FailedPreStopHook warning', async () => {
    await apply(
      'hooked',
      {
        command: ['sh', '-c', 'exec sleep 3611'],
        volumeMounts: [{ name: 'out', mountPath: '/out' }],
        lifecycle: {
          postStart: { exec: { command: ['sh', '-c', 'echo started > /out/poststart'] } },
          preStop: { exec: { command: ['sh', '-c', 'echo stopping > /out/prestop'] } },
        },
      },
      { terminationGracePeriodSeconds: 3, volumes: [{ name: 'out', hostPath: { path: hooksDir, type: 'DirectoryOrCreate' } }] },
    );
    await apply('badstop', { command: ['sh', '-c', 'exec sleep 3613'], lifecycle: { preStop: { exec: { command: ['sh', '-c', 'exit 4'] } } } });
    await waitFor('hooked Running', async () => (await pod('hooked')).status?.phase === 'Running', 40_000);
    assert.equal(await readFile(join(hooksDir, 'poststart'), 'utf8'), 'started\n');
    assert.equal(existsSync(join(hooksDir, 'prestop')), false);
    await kubectl(['delete', 'pod', 'hooked', '--wait=true']);
    assert.equal(await readFile(join(hooksDir, 'prestop'), 'utf8'), 'stopping\n');
    assert.doesNotMatch(await events('hooked'), /FailedPreStopHook/);
    await waitFor('badstop Running', async () => (await pod('badstop')).status?.phase === 'Running', 40_000);
    await kubectl(['delete', 'pod', 'badstop', '--wait=true']);
    const ev = await events('badstop');
    assert.match(ev, /Normal Killing: Stopping container main/);
    assert.match(ev, /Warning FailedPreStopHook: PreStopHook failed/);
  });

  test('a failing postStart hook kills the container with FailedPostStartHook and leaves PostStartHookError', async () => {
    await apply('badstart', { command: ['sh', '-c', 'exec sleep 3612'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope >&2; exit 7'] } } } }, { restartPolicy: 'Never' });
    await waitFor('badstart Failed', async () => (await pod('badstart')).status?.phase === 'Failed', 40_000);
    const ev = await events('badstart');
    assert.match(ev, /Warning FailedPostStartHook: PostStartHook failed/);
    assert.match(ev, /Normal Killing: FailedPostStartHook/);
    const uid = (await kubectl(['get', 'pod', 'badstart', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const waiting = (await pod('badstart')).status?.containerStatuses?.[0]?.state?.waiting;
    assert.equal(waiting?.reason, 'PostStartHookError');
    assert.equal(
      waiting?.message,
      `Exec lifecycle hook ([sh -c echo nope >&2; exit 7]) for Container "main" in Pod "badstart_default(${uid})" failed - error: command 'sh -c echo nope >&2; exit 7' exited with 7: nope\n, message: "nope\\n"`,
    );
  });

  test('a container reports what it wrote to its termination log, or its log tail under FallbackToLogsOnError', async () => {
    await apply('farewell', { command: ['sh', '-c', 'printf goodbye > /dev/termination-log; exit 2'] }, { restartPolicy: 'Never' });
    await apply('fallback', { command: ['sh', '-c', 'echo first; echo oops; exit 1'], terminationMessagePolicy: 'FallbackToLogsOnError' }, { restartPolicy: 'Never' });
    await apply('custom', { command: ['sh', '-c', 'printf custom > /tmp/msg'], terminationMessagePath: '/tmp/msg' }, { restartPolicy: 'Never' });
    await waitFor('farewell Failed', async () => (await pod('farewell')).status?.phase === 'Failed', 40_000);
    await waitFor('fallback Failed', async () => (await pod('fallback')).status?.phase === 'Failed', 40_000);
    await waitFor('custom Succeeded', async () => (await pod('custom')).status?.phase === 'Succeeded', 40_000);
    const farewell = (await pod('farewell')).status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(farewell?.exitCode, 2);
    assert.equal(farewell?.reason, 'Error');
    assert.equal(farewell?.message, 'goodbye');
    assert.equal((await pod('fallback')).status?.containerStatuses?.[0]?.state?.terminated?.message, 'first\noops\n');
    assert.equal((await pod('custom')).status?.containerStatuses?.[0]?.state?.terminated?.message, 'custom');
  });
});
