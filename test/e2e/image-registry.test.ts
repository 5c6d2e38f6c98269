// Image pulls from registries on loopback, against `k8ts server` with its node agent on real containerd: Debian's
// docker-registry (distribution) serves on 127.0.0.1 the busybox image the tests build offline, pushed with skopeo.
// The data dir's registries.yaml (k3s's format) names a mirror for a registry under .test (a name that never
// resolves, so the image can only come from the mirror), and credentials of one registry; another registry takes
// credentials only from the pods' imagePullSecrets. Nothing is pulled from any real registry. Skipped without root,
// containerd, docker-registry or skopeo; the registries with passwords need a bcrypt hash (Python's crypt module).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage } from '../../src/images/builtin-images.js';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { K8tsServer, freePort, unmountUnder, waitFor } from './support/server.js';
import { agentKubectl, hostNetworkPod, stopNodeAgent, waitForNode, type ContainerStatusJson } from './support/node-agent-fixture.js';

const run = promisify(execFile);

const DOCKER_REGISTRY = '/usr/bin/docker-registry';

function skipReason(): string | false {
  const containerd = containerdTestSkipReason();
  if (containerd !== false) return containerd;
  if (!existsSync(DOCKER_REGISTRY)) return `${DOCKER_REGISTRY} is missing: apt-get install docker-registry`;
  if (spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status !== 0) return 'skopeo is missing: apt-get install skopeo';
  return false;
}

/** A bcrypt hash of the password for docker-registry's htpasswd, from Python's crypt module (libxcrypt); undefined without one. */
function bcryptHash(password: string): string | undefined {
  const r = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', password], { encoding: 'utf8' });
  const hash = r.stdout.trim();
  return r.status === 0 && /^\$2[aby]\$\d\d\$/.test(hash) ? hash : undefined;
}

interface Registry {
  port: number;
  host: string;
  log(): string;
  stop(): Promise<void>;
}

/** Starts docker-registry on 127.0.0.1 with storage in `dir`, and with basic auth when `htpasswd` (user:bcrypt lines) is given. */
async function startRegistry(dir: string, htpasswd?: string): Promise<Registry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (htpasswd !== undefined) {
    writeFileSync(join(dir, 'htpasswd'), htpasswd);
    config.push('auth:', '  htpasswd:', '    realm: k8ts-e2e', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${config.join('\n')}\n`);
  const proc: ChildProcess = spawn(DOCKER_REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const host = `127.0.0.1:${port}`;
  await waitFor(`docker-registry on ${host}`, async () => {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}:\n${log}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      return res.status === 200 || res.status === 401;
    } catch {
      return false;
    }
  });
  return {
    port,
    host,
    log: () => log,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

interface EventJson {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { name?: string };
}

const skip = skipReason();
const aliceHash = skip === false ? bcryptHash('alice-pw') : undefined;
const bobHash = skip === false ? bcryptHash('bob-pw') : undefined;
const authSkip = aliceHash === undefined || bobHash === undefined ? "no bcrypt hash can be made here (Python's crypt module)" : false;

describe('pulling images from registries on loopback', { skip }, () => {
  let server: K8tsServer;
  let dataDir = '';
  let work = '';
  let open: Registry;
  let secured: Registry | undefined;
  let configured: Registry | undefined;
  let nodeName = '';
  const { kubectl, status } = agentKubectl(() => server.kubeconfig);
  const events = async (name: string): Promise<EventJson[]> =>
    ((JSON.parse(await kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as { items?: EventJson[] }).items ?? []);
  const createPod = async (name: string, image: string, extra: Record<string, unknown> = {}): Promise<void> => {
    const container = { name: 'main', image, imagePullPolicy: 'Always', command: ['sh', '-c', 'echo pulled; sleep 3600'] };
    await kubectl(['apply', '-f', '-'], hostNetworkPod(name, nodeName, [container], extra));
  };
  const waitRunning = async (name: string): Promise<ContainerStatusJson> => {
    let last: ContainerStatusJson | undefined;
    try {
      await waitFor(`pod ${name} running`, async () => {
        last = await status(name);
        return last?.state?.running !== undefined;
      }, 60_000);
    } catch (e: unknown) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; last status ${JSON.stringify(last)}; events ${JSON.stringify(await events(name))}`);
    }
    return last ?? {};
  };
  const waitWaiting = async (name: string, reason: string): Promise<ContainerStatusJson> => {
    let last: ContainerStatusJson | undefined;
    const seen: string[] = [];
    try {
      await waitFor(`pod ${name} waiting with ${reason}`, async () => {
        last = await status(name);
        const r = last?.state?.waiting?.reason ?? '';
        if (seen.at(-1) !== r) seen.push(r);
        return r === reason;
      }, 60_000);
    } catch (e: unknown) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; reasons seen ${seen.join(' ')}; last status ${JSON.stringify(last)}; events ${JSON.stringify(await events(name))}`);
    }
    return last ?? {};
  };
  const push = async (archive: string, registry: Registry, creds?: string, tag = 'reg'): Promise<void> => {
    const args = ['copy', '--quiet', '--dest-tls-verify=false', ...(creds !== undefined ? ['--dest-creds', creds] : []), `oci-archive:${archive}`, `docker://${registry.host}/library/busybox:${tag}`];
    await run('skopeo', args);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'k8ts-e2e-registry-'));
    const archive = join(work, 'busybox.tar');
    await buildBusyboxImage(archive);
    open = await startRegistry(join(work, 'open'));
    await push(archive, open);
    await push(archive, open, undefined, 'mirrored');
    const lines = ['mirrors:', '  registry.example.test:', `    endpoint: ["http://${open.host}"]`, `  "${open.host}":`, `    endpoint: ["http://${open.host}"]`];
    if (authSkip === false) {
      secured = await startRegistry(join(work, 'secured'), `alice:${aliceHash ?? ''}\n`);
      await push(archive, secured, 'alice:alice-pw');
      configured = await startRegistry(join(work, 'configured'), `bob:${bobHash ?? ''}\n`);
      await push(archive, configured, 'bob:bob-pw');
      lines.push('configs:', `  "${configured.host}":`, '    auth:', '      username: bob', '      password: bob-pw');
    }
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
    writeFileSync(join(dataDir, 'registries.yaml'), `${lines.join('\n')}\n`);
    server = await K8tsServer.start({ dataDir, agent: true, controlLoops: true, extraArgs: ['--node-ip', '127.0.0.1', '--disable-scheduler'] });
    nodeName = await waitForNode(kubectl, 20_000);
  });
  after(async () => {
    await stopNodeAgent(server, kubectl);
    for (const r of [open, secured, configured]) await r?.stop();
    if (dataDir !== '') {
      unmountUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  test('a pod with imagePullPolicy Always pulls from a plain-http registry on loopback and runs', async () => {
    await createPod('plain', `${open.host}/library/busybox:reg`);
    const st = await waitRunning('plain');
    assert.match(st.imageID ?? '', new RegExp(`^${open.host.replace(/\./g, '\\.')}/library/busybox@sha256:[0-9a-f]{64}$`));
    const pulled = (await events('plain')).find((e) => e.reason === 'Pulled');
    assert.match(pulled?.message ?? '', new RegExp(`^Successfully pulled image "${open.host.replace(/\./g, '\\.')}/library/busybox:reg" in `));
  });

  test("a registry that never resolves is pulled through its mirror from registries.yaml", async () => {
    const hostsToml = readFileSync(join(dataDir, 'containerd', 'certs.d', 'registry.example.test', 'hosts.toml'), 'utf8');
    assert.match(hostsToml, new RegExp(`\\[host\\."http://${open.host.replace(/\./g, '\\.')}/v2"\\]`));
    await createPod('mirrored', 'registry.example.test/library/busybox:mirrored');
    const st = await waitRunning('mirrored');
    // The same content as the other pulls: containerd reports the image by the first of its repo digests.
    assert.match(st.imageID ?? '', /@sha256:[0-9a-f]{64}$/);
    const pulled = (await events('mirrored')).find((e) => e.reason === 'Pulled');
    assert.match(pulled?.message ?? '', /^Successfully pulled image "registry\.example\.test\/library\/busybox:mirrored" in /);
    // Only this pod names the tag "mirrored": the mirror's access log has its manifest request.
    assert.match(open.log(), /"(HEAD|GET) \/v2\/library\/busybox\/manifests\/mirrored[ ?]/);
  });

  test('an image that exists nowhere gives ErrImagePull, then ImagePullBackOff', async () => {
    await createPod('nowhere', `${open.host}/nope:1`);
    // ErrImagePull is in the status only until the next sync, which finds the pull backing off: the events keep it.
    const st = await waitWaiting('nowhere', 'ImagePullBackOff');
    assert.equal(st.state?.waiting?.message, `Back-off pulling image "${open.host}/nope:1"`);
    const evs = await events('nowhere');
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'), JSON.stringify(evs));
    const failed = evs.find((e) => e.reason === 'Failed' && (e.message ?? '').startsWith('Failed to pull image'));
    assert.match(failed?.message ?? '', new RegExp(`^Failed to pull image "${open.host.replace(/\./g, '\\.')}/nope:1": .*not found`));
    assert.ok(evs.some((e) => e.reason === 'BackOff' && e.message === `Back-off pulling image "${open.host}/nope:1"`), JSON.stringify(evs));
  });

  test('a registry with a password is pulled with the credentials of the pod\'s imagePullSecrets', { skip: authSkip }, async () => {
    const host = secured?.host ?? '';
    await kubectl(['create', 'secret', 'docker-registry', 'alice', `--docker-server=${host}`, '--docker-username=alice', '--docker-password=alice-pw']);
    await kubectl(['create', 'secret', 'docker-registry', 'wrong', `--docker-server=${host}`, '--docker-username=alice', '--docker-password=wrong']);
    // Without credentials the registry refuses.
    await createPod('anonymous', `${host}/library/busybox:reg`);
    await waitWaiting('anonymous', 'ImagePullBackOff');
    const refused = (await events('anonymous')).find((e) => e.reason === 'Failed' && (e.message ?? '').startsWith('Failed to pull image'));
    assert.match(refused?.message ?? '', /401 Unauthorized/);
    // A missing secret is a warning and a wrong one is tried first; the right one pulls.
    await createPod('with-secret', `${host}/library/busybox:reg`, { imagePullSecrets: [{ name: 'missing' }, { name: 'wrong' }, { name: 'alice' }] });
    await waitRunning('with-secret');
    const evs = await events('with-secret');
    const warning = evs.find((e) => e.reason === 'FailedToRetrieveImagePullSecret');
    assert.equal(warning?.type, 'Warning');
    assert.equal(warning?.message, 'Unable to retrieve some image pull secrets (missing); attempting to pull the image may not succeed.');
    assert.ok(evs.some((e) => e.reason === 'Pulled' && /^Successfully pulled image/.test(e.message ?? '')), JSON.stringify(evs));
  });

  test('a registry with a password is pulled with the credentials of registries.yaml when the pod has none', { skip: authSkip }, async () => {
    const config = readFileSync(join(dataDir, 'containerd', 'config.toml'), 'utf8');
    assert.ok(config.includes(`[plugins."io.containerd.grpc.v1.cri".registry.configs."${configured?.host ?? ''}".auth]`), config);
    await createPod('configured', `${configured?.host ?? ''}/library/busybox:reg`);
    await waitRunning('configured');
  });
});
