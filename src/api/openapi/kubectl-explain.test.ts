// Runs the real kubectl (current and 1.27) against a tiny test-only HTTP server that serves
// minimal discovery for core/v1 pods and apps/v1 deployments plus this module's /openapi endpoints.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { findResource, type ResourceInfo } from '../resources.js';
import { openapiV2Json, openapiV2Protobuf, openapiV2ProtobufAcceptTypes, openapiV2ProtobufContentType, openapiV3Document, openapiV3Index } from './index.js';

function findKubectl(name: string): string | undefined {
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  const main = findKubectlOnPath();
  const beside = main === undefined ? undefined : join(dirname(realpathSync(main)), name);
  return beside !== undefined && existsSync(beside) ? beside : undefined;
}

function findKubectlOnPath(): string | undefined {
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(d, 'kubectl');
    if (existsSync(p)) return p;
  }
  return undefined;
}

function apiResource(r: ResourceInfo): Record<string, unknown> {
  return { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames, categories: r.categories };
}

const pods = findResource('', 'v1', 'pods')!;
const deployments = findResource('apps', 'v1', 'deployments')!;

interface Logged {
  path: string;
  accept: string;
}

function serve(requests: Logged[]): (req: IncomingMessage, res: ServerResponse) => void {
  const json = (res: ServerResponse, body: unknown): void => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  };
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname, accept: req.headers.accept ?? '' });
    switch (url.pathname) {
      case '/api':
        return json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      case '/apis':
        return json(res, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
        });
      case '/api/v1':
        return json(res, { kind: 'APIResourceList', groupVersion: 'v1', resources: [apiResource(pods)] });
      case '/apis/apps/v1':
        return json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [apiResource(deployments)] });
      case '/openapi/v2':
        if (openapiV2ProtobufAcceptTypes.some((t) => (req.headers.accept ?? '').includes(t))) {
          res.writeHead(200, { 'Content-Type': openapiV2ProtobufContentType });
          res.end(openapiV2Protobuf());
          return;
        }
        return json(res, openapiV2Json());
      case '/openapi/v3':
        return json(res, openapiV3Index());
    }
    const doc = url.pathname.startsWith('/openapi/v3/') ? openapiV3Document(url.pathname.slice('/openapi/v3/'.length)) : undefined;
    if (doc !== undefined) return json(res, doc);
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }));
  };
}

describe('kubectl explain against the served OpenAPI documents', () => {
  const requests: Logged[] = [];
  let server: Server;
  let work: string;
  let serverUrl = '';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'k8ts-openapi-'));
    writeFileSync(join(work, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    server = createServer(serve(requests));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  });

  const run = (bin: string, args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> =>
    new Promise((resolve) => {
      execFile(
        bin,
        ['--server', serverUrl, '--cache-dir', join(work, `cache-${Math.random().toString(36).slice(2)}`), ...args],
        { env: { PATH: process.env['PATH'] ?? '', HOME: work, KUBECONFIG: join(work, 'kubeconfig'), ...env }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ stdout, stderr, code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1 }),
      );
    });

  for (const name of ['kubectl', 'kubectl.1.27']) {
    const bin = findKubectl(name);
    test(`${name} explain pod.spec.containers lists the container fields with their descriptions`, { skip: bin === undefined && `${name} is not installed` }, async () => {
      const out = await run(bin!, ['explain', 'pod.spec.containers']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /KIND:\s+Pod/);
      assert.match(out.stdout, /FIELD:\s+containers <\[\]Container>/);
      assert.match(out.stdout, /List of containers belonging to the pod\./);
      assert.match(out.stdout, /image\s+<string>/);
      assert.match(out.stdout, /ports\s+<\[\]ContainerPort>/);
      assert.match(out.stdout, /resources\s+<ResourceRequirements>/);
      assert.match(out.stdout, /name\s+<string> -required-/);
      assert.match(out.stdout, /Container image name\./);
    });

    test(`${name} explain deployment.spec --recursive prints the nested pod template fields`, { skip: bin === undefined && `${name} is not installed` }, async () => {
      const out = await run(bin!, ['explain', 'deployment.spec', '--recursive']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /GROUP:\s+apps/);
      assert.match(out.stdout, /replicas\s+<integer>/);
      assert.match(out.stdout, /maxSurge\s+<IntOrString>/);
      assert.match(out.stdout, /containerPort\s+<integer> -required-/);
      assert.match(out.stdout, /creationTimestamp\s+<string>/);
    });

    test(`${name} explain with the openapi v2 output format reads the protobuf document`, { skip: bin === undefined && `${name} is not installed` }, async () => {
      const out = await run(bin!, ['explain', 'pod.spec.containers.ports', '--output=plaintext-openapiv2']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /containerPort\s+<integer> -required-/);
      assert.match(out.stdout, /Number of port to expose on the pod's IP address\./);
      assert.ok(requests.some((r) => r.path === '/openapi/v2' && openapiV2ProtobufAcceptTypes.some((t) => r.accept.includes(t))), 'kubectl asked for the protobuf form');
    });
  }
});
