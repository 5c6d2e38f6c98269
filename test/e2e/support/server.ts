// Starts a real `k8ts server` process for end-to-end tests (loopback only, a temporary data dir, a free port)
// and runs the real kubectl against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { connect, type ClientHttp2Session } from 'node:http2';
import { Agent, request } from 'node:https';
import { get as httpGetRequest } from 'node:http';
import { parse as parseYaml } from 'yaml';

/** The checkout: the nearest directory above this file that holds bin/k8ts (dist/… or .build/NAME/…). */
export const repoRoot = findRepoRoot(new URL('.', import.meta.url).pathname);

function findRepoRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'bin', 'k8ts')) || !existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no bin/k8ts above ${from}`);
    dir = up;
  }
  return dir;
}
export const k8tsBin = join(repoRoot, 'bin', 'k8ts');
export const seedDir = resolve(repoRoot, '..', 'shared', 'seed-manifests');

/** A plain HTTP GET: the status and the body as text (rejects on a connection error or after timeoutMs). */
export function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGetRequest(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolvePort(port));
    });
    s.on('error', reject);
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServerOptions {
  dataDir?: string;
  datastoreEndpoint?: string;
  extraArgs?: string[];
  port?: number;
  /**
   * Run the scheduler and the workload controllers (replica sets, replication controllers). Off by default: most
   * suites test the API server and expect the objects they create to stay as they are (as upstream's apiserver
   * integration tests run without a controller manager). On by default for servers with --virtual-nodes.
   */
  controlLoops?: boolean;
  /** Run the node agent (containerd and the kubelet; needs root and containerd). Off by default. */
  agent?: boolean;
}

/** What a server started without its control loops is given. */
export const apiOnlyArgs: readonly string[] = [
  '--disable-scheduler',
  ...['deployment', 'replicaset', 'replicationcontroller', 'daemonset', 'statefulset', 'endpoints', 'endpointslice', 'job', 'cronjob', 'ttl-after-finished', 'node-lifecycle', 'taint-eviction', 'pod-garbage-collector', 'resourcequota', 'disruption'].flatMap((c) => [
    '--disable-controller',
    c,
  ]),
];

export class K8tsServer {
  proc: ChildProcess | undefined;
  log = '';
  readonly kubeconfig: string;

  constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly opts: ServerOptions,
  ) {
    this.kubeconfig = join(dataDir, 'kubeconfig.yaml');
  }

  /** The etcd this server runs on when K8TS_E2E_DATASTORE=etcd made the harness start one for it. */
  private ownEtcd: { endpoint: string; stop(): Promise<void> } | undefined;

  /**
   * Starts a server. With K8TS_E2E_DATASTORE=etcd in the environment, a server without an explicit datastore runs on
   * a real etcd of its own, so that the same suites run on both stores.
   */
  static async start(opts: ServerOptions = {}): Promise<K8tsServer> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
    const port = opts.port ?? (await freePort());
    let ownEtcd: K8tsServer['ownEtcd'];
    let options = opts;
    if (opts.datastoreEndpoint === undefined && process.env['K8TS_E2E_DATASTORE'] === 'etcd') {
      const { startEtcd } = (await import(join(repoRoot, 'dist', 'src', 'storage', 'etcd', 'etcd-test-server.js'))) as {
        startEtcd: () => Promise<{ endpoint: string; stop(): Promise<void> }>;
      };
      ownEtcd = await startEtcd();
      options = { ...opts, datastoreEndpoint: ownEtcd.endpoint };
    }
    const s = new K8tsServer(dataDir, port, options);
    s.ownEtcd = ownEtcd;
    await s.startProcess();
    return s;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async startProcess(): Promise<void> {
    const args = ['server', '--data-dir', this.dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', String(this.port)];
    if (this.opts.agent !== true) args.push('--disable-agent');
    // The kubelet's server listens on the node IP: loopback in tests (network safety), unless a test names one.
    else {
      if (!(this.opts.extraArgs ?? []).includes('--node-ip')) args.push('--node-ip', '127.0.0.1');
      // A free port for the kubelet's server (the node publishes it), so that node agents of several suites never
      // meet on 10250.
      if (!(this.opts.extraArgs ?? []).includes('--kubelet-port')) args.push('--kubelet-port', '0');
    }
    if (this.opts.datastoreEndpoint !== undefined) args.push('--datastore-endpoint', this.opts.datastoreEndpoint);
    const extra = this.opts.extraArgs ?? [];
    // Network safety: the cluster DNS forwards names outside the cluster to --resolv-conf's nameservers, and the
    // machine's may be off it. Tests get a resolv.conf without nameservers (a suite that tests forwarding gives its
    // own, pointing at a resolver on loopback), and a DNS port of its own so that servers do not meet on 53.
    if (!extra.includes('--resolv-conf')) {
      const resolvConf = join(this.dataDir, 'resolv.conf');
      writeFileSync(resolvConf, '# k8ts e2e: no upstream resolvers, nothing leaves the machine\n');
      args.push('--resolv-conf', resolvConf);
    }
    if (!extra.includes('--cluster-dns-port') && !extra.includes('--disable-cluster-dns')) args.push('--cluster-dns-port', '0');
    if (!(this.opts.controlLoops ?? extra.includes('--virtual-nodes'))) args.push(...apiOnlyArgs);
    args.push(...extra);
    const proc = spawn(process.execPath, [k8tsBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`k8ts server exited with ${proc.exitCode}:\n${this.log}`);
      if ((await this.readyz()) === 200 && this.log.includes('k8ts server ready')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`k8ts server did not become ready:\n${this.log}`);
  }

  readyz(): Promise<number> {
    return new Promise((resolveCode) => {
      const req = request({ host: '127.0.0.1', port: this.port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolveCode(res.statusCode ?? 0);
      });
      req.on('error', () => resolveCode(0));
      req.on('timeout', () => {
        req.destroy();
        resolveCode(0);
      });
      req.end();
    });
  }

  /** Whether the server process is running. */
  get alive(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Stops the process (SIGTERM, or SIGKILL with kill9) and waits for it to exit. */
  async stop(kill9 = false): Promise<void> {
    const p = this.proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill(kill9 ? 'SIGKILL' : 'SIGTERM');
      // The agent stops containerd too, which may take a few seconds more.
      setTimeout(() => {
        if (p.exitCode === null) p.kill('SIGKILL');
      }, this.opts.agent === true ? 20_000 : 5000).unref();
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async destroy(): Promise<void> {
    await this.stop();
    await this.ownEtcd?.stop();
    if (this.opts.dataDir === undefined) {
      unmountUnder(this.dataDir);
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  /** The admin credentials (CA, client certificate and key) of the kubeconfig the server wrote. */
  adminCredentials(): Credentials {
    return readCredentials(this.kubeconfig);
  }

  /** An HTTPS request to the server; `auth` is the admin certificate (default), a bearer token, or none. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    return httpsRequest(this, method, path, opts);
  }

  /** Starts kubectl in the background (e.g. `get -w`); collects its output until stopped. */
  kubectlBackground(args: string[], opts: { env?: Record<string, string>; bin?: string } = {}): BackgroundProcess {
    const proc = spawn(opts.bin ?? 'kubectl', args, {
      env: { ...process.env, KUBECONFIG: this.kubeconfig, ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new BackgroundProcess(proc);
  }

  kubectl(args: string[], opts: { input?: string; env?: Record<string, string>; bin?: string } = {}): RunResult {
    const r = spawnSync(opts.bin ?? 'kubectl', args, {
      input: opts.input,
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: this.kubeconfig, ...(opts.env ?? {}) },
      timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** kubectl that must succeed; returns stdout. */
  k(args: string[], opts: { input?: string; env?: Record<string, string>; bin?: string } = {}): string {
    const r = this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  }
}

export function writeTemp(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-file-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Blanks the AGE-like cells so that outputs compare across runs. */
export function normalizeAges(s: string): string {
  return s.replace(/\b\d+(s|m|h|d|y)(\d+(s|m|h))?\b/g, '<age>');
}

export interface Credentials {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Reads the current context's cluster and user (inline data, as k8ts writes them) from a kubeconfig. */
export function readCredentials(kubeconfigPath: string): Credentials {
  const doc: unknown = parseYaml(readFileSync(kubeconfigPath, 'utf8'));
  if (!isRecord(doc)) throw new Error(`${kubeconfigPath} is not a kubeconfig`);
  const pick = (list: unknown, name: unknown, field: string): Record<string, unknown> => {
    const item = (Array.isArray(list) ? list : []).find((x: unknown) => isRecord(x) && x['name'] === name);
    const inner: unknown = isRecord(item) ? item[field] : undefined;
    return isRecord(inner) ? inner : {};
  };
  const ctx = pick(doc['contexts'], doc['current-context'], 'context');
  const cluster = pick(doc['clusters'], ctx['cluster'], 'cluster');
  const user = pick(doc['users'], ctx['user'], 'user');
  const b64 = (v: unknown): string => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '');
  return {
    server: typeof cluster['server'] === 'string' ? cluster['server'] : '',
    caPem: b64(cluster['certificate-authority-data']),
    certPem: b64(user['client-certificate-data']),
    keyPem: b64(user['client-key-data']),
  };
}

export interface RequestOptions {
  /** 'admin' (the kubeconfig's client certificate, default), 'none', or { token }. */
  auth?: 'admin' | 'none' | { token: string };
  body?: string | Buffer;
  headers?: Record<string, string>;
  agent?: Agent;
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agents = new WeakMap<K8tsServer, { key: string; agent: Agent }>();

function adminAgent(s: K8tsServer): Agent {
  const c = s.adminCredentials();
  const key = c.certPem + c.caPem;
  const cached = agents.get(s);
  if (cached !== undefined && cached.key === key) return cached.agent;
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: c.caPem, cert: c.certPem, key: c.keyPem });
  agents.set(s, { key, agent });
  return agent;
}

function httpsRequest(s: K8tsServer, method: string, path: string, opts: RequestOptions): Promise<HttpResult> {
  const auth = opts.auth ?? 'admin';
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let agent: Agent | undefined = opts.agent;
  let ca: string | undefined;
  if (auth === 'admin') agent ??= adminAgent(s);
  else {
    ca = s.adminCredentials().caPem;
    if (typeof auth === 'object') headers['authorization'] = `Bearer ${auth.token}`;
  }
  if (opts.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolveResult, reject) => {
    const req = request(
      { host: '127.0.0.1', port: s.port, path, method, headers, agent: agent ?? false, ca, servername: 'localhost', timeout: opts.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolveResult({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** A background process (kubectl get -w, a python watcher) whose output is collected as it arrives. */
export class BackgroundProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  /** Waits until the collected stdout satisfies `pred` (or throws after `timeoutMs`). */
  async waitForOutput(pred: (stdout: string) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.stdout)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for output; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (this.proc.exitCode !== null) throw new Error(`process exited (${this.proc.exitCode}); stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    await this.exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Follows a dotted path ("spec.containers.0.image") through parsed JSON; undefined when any step is missing. */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isRecord(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** Parses JSON text into an object (throws with the text when it is not a JSON object). */
export function parseObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e: unknown) {
    throw new Error(`not JSON (${e instanceof Error ? e.message : String(e)}): ${text.slice(0, 500)}`);
  }
  if (!isRecord(v)) throw new Error(`not a JSON object: ${text.slice(0, 500)}`);
  return v;
}

/** A YAML manifest of a namespace, for `kubectl apply -f -`. */
export function namespaceYaml(name: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

/** The path of kubectl 1.<minor> (`kubectl.1.<minor>` on PATH, or in the Google Cloud SDK's bin), or undefined. */
export function kubectlBinary(minor: number): string | undefined {
  const name = `kubectl.1.${minor}`;
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), '/usr/lib/google-cloud-sdk/bin'];
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** An HTTP/2 request on an open session (see `K8tsServer.http2Session`). */
export function http2Request(session: ClientHttp2Session, method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolveResult, reject) => {
    const headers: Record<string, string> = { ':method': method, ':path': path, ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = session.request(headers, { endStream: opts.body === undefined });
    const chunks: Buffer[] = [];
    let status = 0;
    let resHeaders: Record<string, string | string[] | undefined> = {};
    const timer = setTimeout(() => req.close(), opts.timeoutMs ?? 30_000);
    req.on('response', (h) => {
      status = Number(h[':status']);
      resHeaders = { ...h };
    });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      clearTimeout(timer);
      resolveResult({ status, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Opens an HTTP/2 session to the server with the admin client certificate. */
export function openHttp2Session(s: K8tsServer): ClientHttp2Session {
  const c = s.adminCredentials();
  // Node's client limits a session to 10 MB of buffered data by default; several 3+ MiB bodies in flight exceed it
  // and the client itself would reset its streams (Go's client, which kubectl uses, has no such limit).
  return connect(s.url, { ca: c.caPem, cert: c.certPem, key: c.keyPem, servername: 'localhost', maxSessionMemory: 128 });
}

/**
 * Unmounts whatever is still mounted below `dir` (deepest first): the tmpfs volumes of pods that a node agent left
 * running, so that the directory can be removed.
 */
export function unmountUnder(dir: string): void {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return;
  }
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  const points = mounts
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
}
