// `kubectl exec`, `attach`, `port-forward` and `cp` through the API server, the kubelet's HTTPS server (on the port its node publishes)
// and containerd's CRI streaming server, against `k8ts server` with its node agent on real containerd. Each runs with
// kubectl 1.32 (WebSockets: v5.channel.k8s.io for exec and attach, SPDY tunnelled in a WebSocket for port-forward),
// with kubectl 1.32 told to use SPDY, and with kubectl 1.27 (SPDY only). The pods are host-network busybox pods;
// port-forward reaches an httpd that listens on 127.0.0.1 only, so every packet stays on loopback.
// Skipped without root or containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdTestSkipReason } from '../../src/containerd/live-test-skip.js';
import { BackgroundProcess, freePort, K8tsServer, kubectlBinary, sleep, waitFor, type RunResult } from './support/server.js';
import { busyboxContainer as container, hostNetworkPod, importBusybox, waitForNode, type PodJson } from './support/node-agent-fixture.js';
import { PtySession, ptySkipReason } from './support/pty.js';

const skip = containerdTestSkipReason();

/** One kubectl and the environment it runs with. */
interface Client {
  name: string;
  bin: string | undefined;
  env: Record<string, string>;
}

const kubectl132 = kubectlBinary(32) ?? 'kubectl';
const clients: Client[] = [
  { name: 'kubectl 1.32 over WebSockets', bin: kubectl132, env: {} },
  {
    name: 'kubectl 1.32 with WebSockets turned off (SPDY)',
    bin: kubectl132,
    env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' },
  },
  { name: 'kubectl 1.27 (SPDY only)', bin: kubectlBinary(27), env: {} },
];

/** The ports the web pod's two httpds listen on (loopback of the host, as the pod is host-network). */
const WEB_PORTS = [18741, 18742] as const;
const WEB_BODIES = ['served on the first port\n', 'served on the second port\n'] as const;

/** GET http://127.0.0.1:PORT/ and its body; rejects on a refused connection or a status other than 200. */
function httpGet(port: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolveBody(body);
        else reject(new Error(`GET :${port}/ answered ${String(res.statusCode)}: ${body}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET :${port}/ timed out`)));
    req.on('error', reject);
  });
}

/** Whether nothing listens on 127.0.0.1:port. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const s = createServer();
    s.once('error', () => resolveFree(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolveFree(true)));
  });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('kubectl exec, attach, port-forward and cp through the API server and the kubelet', { skip }, () => {
  let server: K8tsServer;
  let nodeName = '';
  let scratch = '';
  const stoppers = new Set<{ stop(): Promise<void> }>();

  const envFor = (c: Client): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: server.kubeconfig, ...c.env });
  const binOf = (c: Client): string => {
    if (c.bin === undefined) throw new Error(`${c.name}: not installed`);
    return c.bin;
  };

  /** Runs kubectl to the end (killed after `timeoutMs`), with `input` on its stdin, closed after. */
  const run = (c: Client, args: string[], input: string | Buffer = '', timeoutMs = 30_000): Promise<RunResult> =>
    new Promise((resolveResult) => {
      const child = spawn(binOf(c), args, { env: envFor(c), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (stdout += d));
      child.stderr.on('data', (d: string) => (stderr += d));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
      const timer = setTimeout(() => {
        stderr += `\n(killed after ${timeoutMs} ms)`;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolveResult({ code: code ?? -1, stdout, stderr });
      });
    });
  /** kubectl that must succeed; its stdout. */
  const ok = async (c: Client, args: string[], input?: string | Buffer): Promise<string> => {
    const r = await run(c, args, input);
    assert.equal(r.code, 0, `${c.name} ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
    return r.stdout;
  };
  const admin: Client = { name: 'kubectl', bin: kubectl132, env: {} };

  const hostPod = (name: string, containers: Record<string, unknown>[]): string => hostNetworkPod(name, nodeName, containers);
  const allRunning = async (name: string): Promise<boolean> => {
    const p = JSON.parse(await ok(admin, ['get', 'pod', name, '-o', 'json'])) as PodJson;
    const statuses = p.status?.containerStatuses ?? [];
    return statuses.length > 0 && statuses.every((s) => s.state?.running !== undefined);
  };

  before(async () => {
    for (const port of WEB_PORTS) assert.ok(await portIsFree(port), `127.0.0.1:${port} is in use; the web pod needs it`);
    scratch = mkdtempSync(join(tmpdir(), 'k8ts-exec-'));
    server = await K8tsServer.start({ agent: true, controlLoops: true, extraArgs: ['--node-ip', '127.0.0.1', '--disable-scheduler'] });
    nodeName = await waitForNode((args) => ok(admin, args), 20_000);
    await importBusybox(server.dataDir);

    const web = [
      'mkdir -p /www1 /www2',
      `echo ${WEB_BODIES[0].trim()} > /www1/index.html`,
      `echo ${WEB_BODIES[1].trim()} > /www2/index.html`,
      `httpd -p 127.0.0.1:${WEB_PORTS[0]} -h /www1`,
      `exec httpd -f -p 127.0.0.1:${WEB_PORTS[1]} -h /www2`,
    ].join(' && ');
    const manifests = [
      hostPod('shell', [container('main', 'exec sleep 3620')]),
      hostPod('pair', [container('left', 'echo left > /tmp/who; exec sleep 3621'), container('right', 'echo right > /tmp/who; exec sleep 3622')]),
      hostPod('reader', [container('main', 'while read l; do echo got:$l; done', { stdin: true })]),
      hostPod('web', [container('main', web)]),
    ];
    for (const m of manifests) await ok(admin, ['apply', '-f', '-'], m);
    for (const name of ['shell', 'pair', 'reader', 'web']) await waitFor(`${name} Running`, () => allRunning(name), 60_000);
    // Host network: the test can check the httpds directly before reaching them through kubectl on other ports.
    for (const [i, port] of WEB_PORTS.entries()) {
      await waitFor(`the httpd on ${port}`, async () => (await httpGet(port).catch(() => '')) === WEB_BODIES[i], 15_000);
    }
  });

  after(async () => {
    for (const s of stoppers) await s.stop().catch(() => undefined);
    if (server !== undefined) {
      await run(admin, ['delete', 'pods', '--all', '--grace-period=1', '--wait=true'], '', 60_000).catch(() => undefined);
      await server.destroy();
    }
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  // At -v=4 client-go logs "RemoteCommand fallback: ..." (exec, attach, cp) or "fallback to secondary dialer ..."
  // (port-forward) when the WebSocket upgrade fails and it retries over SPDY, which would hide a broken WebSocket path.
  const websocketClient = clients[0];
  assert.ok(websocketClient !== undefined);

  test('kubectl 1.32 execs over WebSockets (v5.channel.k8s.io) without falling back to SPDY', { timeout: 60_000 }, async () => {
    const r = await run(websocketClient, ['exec', '-v=4', 'shell', '--', 'echo', 'over websockets']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'over websockets\n');
    assert.doesNotMatch(r.stderr, /fallback/i);
  });

  test('a request to pods/exec that does not ask to upgrade is refused as upstream: Upgrade request required', { timeout: 30_000 }, async () => {
    const r = await run(websocketClient, ['create', '--raw', '/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true', '-f', '-'], '{}');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (BadRequest): Upgrade request required\n');
  });

  test('every kubectl from 1.27 to 1.33 execs with stdin and an exit code, and forwards a port, without falling back', { timeout: 180_000 }, async () => {
    for (let minor = 27; minor <= 33; minor++) {
      const bin = kubectlBinary(minor);
      if (bin === undefined) continue;
      const c: Client = { name: `kubectl 1.${minor}`, bin, env: {} };
      const r = await run(c, ['exec', '-v=4', '-i', 'shell', '--', 'sh', '-c', 'cat; exit 2'], `from 1.${minor}\n`);
      assert.deepEqual({ code: r.code, stdout: r.stdout }, { code: 2, stdout: `from 1.${minor}\n` }, `${c.name}: ${r.stderr}`);
      assert.match(r.stderr, /command terminated with exit code 2/, c.name);
      assert.doesNotMatch(r.stderr, /fallback/i, c.name);
      const local = await freePort();
      const pf = server.kubectlBackground(['port-forward', '-v=4', '--address', '127.0.0.1', 'pod/web', `${local}:${WEB_PORTS[0]}`], { bin });
      stoppers.add(pf);
      try {
        await pf.waitForOutput((out) => out.includes(`Forwarding from 127.0.0.1:${local} -> ${WEB_PORTS[0]}`), 20_000);
        assert.equal(await httpGet(local), WEB_BODIES[0], c.name);
        assert.doesNotMatch(pf.stderr, /fallback/i, c.name);
      } finally {
        await pf.stop();
        stoppers.delete(pf);
      }
    }
  });

  test('kubectl 1.32 forwards ports over SPDY tunnelled in a WebSocket without falling back to SPDY', { timeout: 60_000 }, async () => {
    const c = websocketClient;
    const local = await freePort();
    const pf = server.kubectlBackground(['port-forward', '-v=4', '--address', '127.0.0.1', 'pod/web', `${local}:${WEB_PORTS[0]}`], { bin: binOf(c) });
    stoppers.add(pf);
    try {
      await pf.waitForOutput((out) => out.includes(`Forwarding from 127.0.0.1:${local} -> ${WEB_PORTS[0]}`), 20_000);
      assert.equal(await httpGet(local), WEB_BODIES[0]);
      assert.match(pf.stderr, /Before WebSocket Upgrade Connection/);
      assert.doesNotMatch(pf.stderr, /fallback/i);
    } finally {
      await pf.stop();
      stoppers.delete(pf);
    }
  });

  for (const [index, c] of clients.entries()) {
    describe(c.name, { skip: c.bin === undefined ? `${c.name} is not installed` : false }, () => {
      test('exec runs a command and keeps its stdout and stderr apart', { timeout: 60_000 }, async () => {
        const r = await run(c, ['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2']);
        assert.deepEqual(r, { code: 0, stdout: 'out\n', stderr: 'err\n' });
      });

      test('exec ends with the exit code of the command and says so on stderr', { timeout: 60_000 }, async () => {
        const r = await run(c, ['exec', 'shell', '--', 'sh', '-c', 'echo before; exit 3']);
        assert.deepEqual(r, { code: 3, stdout: 'before\n', stderr: 'command terminated with exit code 3\n' });
      });

      test('exec -i passes stdin to the command, which ends when stdin closes', { timeout: 60_000 }, async () => {
        assert.deepEqual(await run(c, ['exec', '-i', 'shell', '--', 'cat'], 'hello\n'), { code: 0, stdout: 'hello\n', stderr: '' });
        // More than fits in one frame or pipe buffer.
        const big = randomBytes(384 * 1024);
        const r = await run(c, ['exec', '-i', 'shell', '--', 'sha256sum'], big);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `${sha256(big)}  -\n`);
      });

      test('-c picks the container of a two-container pod, and without it kubectl takes the first', { timeout: 60_000 }, async () => {
        assert.deepEqual(await run(c, ['exec', 'pair', '-c', 'right', '--', 'cat', '/tmp/who']), { code: 0, stdout: 'right\n', stderr: '' });
        assert.deepEqual(await run(c, ['exec', 'pair', '-c', 'left', '--', 'cat', '/tmp/who']), { code: 0, stdout: 'left\n', stderr: '' });
        const r = await run(c, ['exec', 'pair', '--', 'cat', '/tmp/who']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'left\n');
        assert.match(r.stderr, /Defaulted container "left" out of: left, right/);
      });

      test('an unknown container gives the API server\'s BadRequest, as upstream', { timeout: 60_000 }, async () => {
        // kubectl checks no name it was given with -c: the API server answers the upgrade request with a Status.
        const nope = await run(c, ['exec', 'pair', '-c', 'nope', '--', 'true']);
        assert.notEqual(nope.code, 0);
        assert.equal(nope.stdout, '');
        assert.equal(nope.stderr, 'Error from server (BadRequest): container nope is not valid for pod pair\n');
      });

      test('a missing pod gives NotFound', { timeout: 60_000 }, async () => {
        const missing = await run(c, ['exec', 'nosuchpod', '--', 'true']);
        assert.equal(missing.code, 1);
        assert.equal(missing.stderr, 'Error from server (NotFound): pods "nosuchpod" not found\n');
      });

      test('exec -it runs an interactive shell on a terminal whose size follows the local one', { timeout: 90_000, skip: ptySkipReason() }, async () => {
        const term = new PtySession(binOf(c), ['exec', '-it', 'shell', '--', 'sh'], { rows: 30, cols: 100, env: { ...envFor(c), TERM: 'xterm' } });
        stoppers.add(term);
        try {
          await term.waitForOutput('the shell prompt', (o) => o.includes('# '), 20_000);
          // The image links no stty applet, but its busybox has one.
          term.write('busybox stty size\r');
          await term.waitForOutput('the size the terminal started with', (o) => /\n30 100\r?\n/.test(o));
          term.resize(40, 120);
          // kubectl sends the new size when SIGWINCH tells it; ask until the remote terminal has it.
          await waitFor('the new size in the container', async () => {
            term.write('busybox stty size\r');
            await sleep(500);
            return /\n40 120\r?\n/.test(term.output);
          }, 15_000);
          term.write('echo $((6*7)); exit 4\r');
          assert.equal(await term.wait(15_000), 4, `terminal output: ${JSON.stringify(term.output)}`);
          // The remote terminal turns \n into \r\n; the echoed command line holds "$((6*7))", not 42.
          assert.match(term.output, /\r\n42\r\n/);
        } finally {
          await term.stop();
          stoppers.delete(term);
        }
      });

      test("attach -i sends lines to the container's stdin and prints what it answers", { timeout: 60_000 }, async () => {
        const token = `line-${index}-${Date.now()}`;
        const proc = spawn(binOf(c), ['attach', '-i', 'reader'], { env: envFor(c), stdio: ['pipe', 'pipe', 'pipe'] });
        const attached = new BackgroundProcess(proc);
        stoppers.add(attached);
        proc.stdin.on('error', () => undefined);
        // A line written before the stream is up may be read before the output is attached: send it until answered.
        const typing = setInterval(() => proc.stdin.write(`${token}\n`), 500);
        try {
          proc.stdin.write(`${token}\n`);
          await attached.waitForOutput((out) => out.includes(`got:${token}\n`), 20_000);
          assert.equal(proc.exitCode, null, 'kubectl attach still runs');
        } finally {
          clearInterval(typing);
          await attached.stop();
          stoppers.delete(attached);
        }
        // Detaching left the container running.
        assert.ok(await allRunning('reader'));
      });

      test('port-forward carries HTTP to two pod ports at once, only while kubectl runs', { timeout: 60_000 }, async () => {
        const local1 = await freePort();
        let local2 = await freePort();
        while (local2 === local1) local2 = await freePort();
        assert.ok(!(WEB_PORTS as readonly number[]).includes(local1) && !(WEB_PORTS as readonly number[]).includes(local2));
        const pf = server.kubectlBackground(['port-forward', '--address', '127.0.0.1', 'pod/web', `${local1}:${WEB_PORTS[0]}`, `${local2}:${WEB_PORTS[1]}`], {
          bin: binOf(c),
          env: c.env,
        });
        stoppers.add(pf);
        try {
          await pf.waitForOutput(
            (out) => out.includes(`Forwarding from 127.0.0.1:${local1} -> ${WEB_PORTS[0]}\n`) && out.includes(`Forwarding from 127.0.0.1:${local2} -> ${WEB_PORTS[1]}\n`),
            20_000,
          );
          // Several connections on each port, some at the same time.
          const bodies = await Promise.all([httpGet(local1), httpGet(local2), httpGet(local1), httpGet(local2)]);
          assert.deepEqual(bodies, [WEB_BODIES[0], WEB_BODIES[1], WEB_BODIES[0], WEB_BODIES[1]]);
          assert.equal(await httpGet(local2), WEB_BODIES[1]);
          assert.match(pf.stdout, new RegExp(`Handling connection for ${local1}\n`));
          assert.match(pf.stdout, new RegExp(`Handling connection for ${local2}\n`));
        } finally {
          await pf.stop();
          stoppers.delete(pf);
        }
        // The local ports were kubectl's: with kubectl gone nothing answers there, while the pod still serves.
        await assert.rejects(httpGet(local1), /ECONNREFUSED/);
        assert.equal(await httpGet(WEB_PORTS[0]), WEB_BODIES[0]);
      });

      test('cp copies a file into the pod and another out of it', { timeout: 60_000 }, async () => {
        const dir = mkdtempSync(join(scratch, `cp-${index}-`));
        const data = randomBytes(200 * 1024);
        writeFileSync(join(dir, 'in.bin'), data);
        const r = await run(c, ['cp', join(dir, 'in.bin'), `shell:/tmp/x-${index}`]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await ok(c, ['exec', 'shell', '--', 'sha256sum', `/tmp/x-${index}`]), `${sha256(data)}  /tmp/x-${index}\n`);

        await ok(c, ['exec', 'shell', '--', 'sh', '-c', `seq 1 30000 > /tmp/y-${index}`]);
        const back = await run(c, ['cp', `shell:/tmp/y-${index}`, join(dir, 'out.txt')]);
        assert.equal(back.code, 0, back.stderr);
        const expected = Array.from({ length: 30000 }, (_, i) => `${i + 1}\n`).join('');
        assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), expected);
      });
    });
  }
});
