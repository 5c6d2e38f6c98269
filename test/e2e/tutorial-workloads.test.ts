// The node agent's acceptance with the tutorials' own manifests, on the pod network with real containers: kuard-pod.yaml
// (logs, `exec -it`, `port-forward`), replication.yaml (three nginx pods, a deleted one replaced), nginx-deployments.yaml
// (a rollout to another image), a memory hog OOMKilled, and a crashing container in CrashLoopBackOff with a growing
// back-off. Images are built offline (nginx from Debian's nginx, kuard and busybox stand-ins from busybox-static) and
// imported; the manifests that name an untagged image (pull policy Always, a pull from docker.io) get IfNotPresent in
// the copy applied. Network safety: the REJECT guards of bench/node-network-guard.ts stop anything from the pod range
// leaving the machine and anything towards the service range.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NetworkGuard } from '../../bench/node-network-guard.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { buildBusyboxImage, buildKuardImage, KUARD_REFS } from '../../src/images/builtin-images.js';
import { NGINX_PATH, NGINX_TUTORIAL_REFS, buildNginxImage } from '../../src/images/nginx-image.js';
import { BackgroundProcess, freePort, httpGet, K8tsServer, seedDir, waitFor } from './support/server.js';
import { agentKubectl, busyboxContainer, busyboxContainerWith, importImage, type PodJson } from './support/node-agent-fixture.js';
import { PtySession, ptySkipReason } from './support/pty.js';

const CLUSTER_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/16';

function skipReason(): string | false {
  const containerd = containerdTestSkipReason();
  if (containerd !== false) return containerd;
  if (!existsSync('/usr/lib/cni/bridge')) return 'the CNI plugins are missing: apt-get install containernetworking-plugins';
  if (!existsSync(NGINX_PATH)) return `${NGINX_PATH} is missing: apt-get install nginx-light`;
  return false;
}


const skip = skipReason();

describe('the tutorials workloads on real containers', { skip }, () => {
  let server: K8tsServer | undefined;
  let guard: NetworkGuard | undefined;
  const background = new Set<{ stop(): Promise<unknown> }>();
  const { env, kubectl, pod } = agentKubectl(() => server?.kubeconfig ?? '');
  const pods = async (selector: string): Promise<PodJson[]> => (JSON.parse(await kubectl(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: PodJson[] }).items;
  const running = (p: PodJson): boolean => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running !== undefined);
  /** A seed manifest as parsed YAML, with IfNotPresent on every container (the copy never pulls from docker.io). */
  const seed = async (file: string): Promise<Record<string, unknown>> => {
    const doc = parseYaml(await readFile(join(seedDir, file), 'utf8')) as Record<string, unknown>;
    const spec = doc['kind'] === 'Pod' ? doc['spec'] : ((doc['spec'] as Record<string, unknown>)['template'] as Record<string, unknown>)['spec'];
    for (const c of (spec as { containers: Record<string, unknown>[] }).containers) c['imagePullPolicy'] = 'IfNotPresent';
    return doc;
  };

  before(async () => {
    guard = await NetworkGuard.install(CLUSTER_CIDR, SERVICE_CIDR);
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--cluster-cidr', CLUSTER_CIDR, '--service-cidr', SERVICE_CIDR] });
    const dir = server.dataDir;
    await buildNginxImage(join(dir, 'nginx.tar'), undefined, { refs: NGINX_TUTORIAL_REFS });
    await buildBusyboxImage(join(dir, 'busybox.tar'));
    await buildKuardImage(join(dir, 'kuard.tar'), KUARD_REFS[0]);
    await waitFor('the node Ready', async () => / Ready /.test((await kubectl(['get', 'nodes', '--no-headers']).catch(() => '')).replace(/\s+/g, ' ')), 60_000);
    for (const f of ['nginx.tar', 'busybox.tar', 'kuard.tar']) await importImage(dir, join(dir, f));
    // The crashing pod starts first: its back-off takes the longest to show.
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'crasher' },
        spec: { containers: [busyboxContainer('main', 'echo crashing; exit 1')] },
      }),
    );
  });

  after(async () => {
    try {
      for (const b of background) await b.stop().catch(() => undefined);
      if (server !== undefined) {
        await kubectl(['delete', 'deployments,replicationcontrollers,pods', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']).catch(() => '');
        await server.destroy();
      }
    } finally {
      await guard?.remove();
    }
  });

  test('kuard-pod.yaml runs; kubectl logs, exec -it and port-forward reach it', { timeout: 120_000 }, async () => {
    // The seed names a tagged image (kuard-amd64:1), whose default pull policy is IfNotPresent: applied as it is.
    await kubectl(['apply', '-f', join(seedDir, 'kuard-pod.yaml')]);
    await waitFor('kuard Running', async () => running(await pod('kuard').catch(() => ({}))), 60_000);
    await waitFor('kuard logging its start', async () => (await kubectl(['logs', 'kuard'])).includes('starting kuard 1'), 15_000);

    if (ptySkipReason() === false) {
      const term = new PtySession('kubectl', ['exec', '-it', 'kuard', '--', 'sh'], { rows: 24, cols: 80, env: { ...env(), TERM: 'xterm' } });
      background.add(term);
      await term.waitForOutput('the shell prompt', (o) => o.includes('# '), 20_000);
      term.write('echo $((6*7)); ls /www; exit\r');
      assert.equal(await term.wait(15_000), 0, term.output);
      assert.match(term.output, /\r\n42\r\n/);
      assert.match(term.output, /index\.html/);
    }

    const local = await freePort();
    const pf = new BackgroundProcess(spawn('kubectl', ['port-forward', 'kuard', `${local}:8080`], { env: env() }));
    background.add(pf);
    await pf.waitForOutput((o) => o.includes(`Forwarding from 127.0.0.1:${local} -> 8080`), 20_000);
    const res = await httpGet(`http://127.0.0.1:${local}/`);
    assert.equal(res.status, 200);
    assert.match(res.body, /<h1>kuard 1<\/h1>/);
    assert.equal((await httpGet(`http://127.0.0.1:${local}/healthy`)).body, 'ok\n');
    await pf.stop();
    background.delete(pf);
  });

  test('replication.yaml keeps three nginx pods running and replaces a deleted one within seconds', { timeout: 150_000 }, async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(await seed('replication.yaml')));
    await waitFor('3 nginx pods Running', async () => (await pods('app=nginx')).filter(running).length === 3, 90_000);
    const before = (await pods('app=nginx')).map((p) => p.metadata?.name ?? '');
    for (const p of await pods('app=nginx')) assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'ReplicationController');
    const victim = before[0] ?? '';
    const deleted = Date.now();
    await kubectl(['delete', 'pod', victim, '--wait=false']);
    await waitFor(
      'a replacement Running',
      async () => {
        const now = await pods('app=nginx');
        return now.filter((p) => running(p) && !before.includes(p.metadata?.name ?? '')).length === 1;
      },
      60_000,
    );
    const seconds = (Date.now() - deleted) / 1000;
    assert.ok(seconds < 30, `the replacement ran ${seconds} s after the delete`);
    // The nginx in the pods serves its welcome page on the pod IPs.
    const ip = (await pods('app=nginx')).find(running)?.status?.podIP ?? '';
    assert.match((await httpGet(`http://${ip}/`)).body, /Welcome to nginx!/);
    await kubectl(['delete', 'rc', 'nginx', '--wait=true', '--timeout=60s']);
  });

  test('nginx-deployments.yaml rolls out, and a new image rolls out with real containers', { timeout: 180_000 }, async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(await seed('nginx-deployments.yaml')));
    await kubectl(['rollout', 'status', 'deployment/nginx', '--timeout=90s']);
    const first = (await pods('run=nginx')).filter(running);
    assert.equal(first.length, 1);
    assert.equal(first[0]?.spec?.containers?.[0]?.image, 'nginx:1.7.12');
    await kubectl(['set', 'image', 'deployment/nginx', 'nginx=nginx:1.9.10']);
    const out = await kubectl(['rollout', 'status', 'deployment/nginx', '--timeout=90s']);
    assert.match(out, /deployment "nginx" successfully rolled out/);
    await waitFor(
      'only the new pod left',
      async () => {
        const now = await pods('run=nginx');
        return now.length === 1 && running(now[0] ?? {}) && now[0]?.spec?.containers?.[0]?.image === 'nginx:1.9.10';
      },
      60_000,
    );
    const history = await kubectl(['rollout', 'history', 'deployment/nginx']);
    assert.match(history, /^2\s/m);
    await kubectl(['delete', 'deployment', 'nginx', '--wait=true', '--timeout=60s']);
  });

  test('a memory hog over its limit is OOMKilled and reported so', { timeout: 90_000 }, async () => {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hog' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            busyboxContainerWith('main', {
              // dd's 64 MiB block is one buffer it fills from /dev/zero: over the 24 MiB limit at once.
              command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=4'],
              resources: { limits: { memory: '24Mi' } },
            }),
          ],
        },
      }),
    );
    await waitFor('the hog terminated', async () => (await pod('hog')).status?.containerStatuses?.[0]?.state?.terminated !== undefined, 60_000);
    const p = await pod('hog');
    assert.equal(p.status?.phase, 'Failed');
    assert.deepEqual(
      { reason: p.status?.containerStatuses?.[0]?.state?.terminated?.reason, exitCode: p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode },
      { reason: 'OOMKilled', exitCode: 137 },
    );
    assert.match(await kubectl(['get', 'pod', 'hog', '--no-headers']), /^hog\s+0\/1\s+OOMKilled\s/);
  });

  test('a crashing container shows CrashLoopBackOff with a back-off that grows', { timeout: 120_000 }, async () => {
    const backoffs: string[] = [];
    await waitFor(
      'a back-off of 20 s',
      async () => {
        const s = (await pod('crasher')).status?.containerStatuses?.[0];
        const m = /^back-off (\d+s) restarting failed container=main pod=crasher_default\(/.exec(s?.state?.waiting?.message ?? '');
        if (s?.state?.waiting?.reason === 'CrashLoopBackOff' && m?.[1] !== undefined && !backoffs.includes(m[1])) backoffs.push(m[1]);
        return backoffs.includes('20s');
      },
      100_000,
    );
    assert.deepEqual(backoffs.slice(0, 2), ['10s', '20s']);
    const s = (await pod('crasher')).status?.containerStatuses?.[0];
    assert.ok((s?.restartCount ?? 0) >= 2, `restartCount ${String(s?.restartCount)}`);
    assert.deepEqual(s?.lastState?.terminated?.exitCode, 1);
    assert.match(await kubectl(['get', 'pod', 'crasher', '--no-headers']), /^crasher\s+0\/1\s+CrashLoopBackOff\s+\d+/);
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=crasher', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    assert.match(events, /^BackOff$/m);
  });
});
