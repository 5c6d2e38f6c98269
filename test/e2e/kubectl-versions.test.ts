// kubectl 1.27 to 1.33 against the same `k8ts server`: get, apply, explain and api-resources.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { at, K8tsServer, kubectlBinary, namespaceYaml, parseObject, seedDir } from './support/server.js';

let s: K8tsServer;

before(async () => {
  s = await K8tsServer.start();
});

after(async () => {
  await s?.destroy();
});

for (const minor of [27, 28, 29, 30, 31, 32, 33]) {
  describe(`kubectl 1.${minor}`, () => {
    const bin = kubectlBinary(minor);
    const ns = `v1-${minor}`;
    const run = (args: string[], input?: string): { code: number; stdout: string; stderr: string } => {
      if (bin === undefined) throw new Error(`kubectl.1.${minor} is not installed`);
      return s.kubectl(args, { bin, input });
    };
    const ok = (args: string[], input?: string): string => {
      const r = run(args, input);
      assert.equal(r.code, 0, `kubectl.1.${minor} ${args.join(' ')}:\n${r.stderr}`);
      return r.stdout;
    };

    test('is installed and reports its version with the k8ts server version', () => {
      assert.ok(bin !== undefined, `kubectl.1.${minor} not found`);
      const v = parseObject(ok(['version', '-o', 'json']));
      assert.equal(at(v, 'clientVersion.minor'), String(minor));
      assert.match(String(at(v, 'serverVersion.gitVersion')), /^v1\.32\.0-k8ts\.\d+$/);
    });

    test('apply -f creates the tutorial pod, rc and legacy replica set, and a second apply is unchanged', () => {
      ok(['apply', '-f', '-'], namespaceYaml(ns));
      assert.equal(ok(['apply', '-n', ns, '-f', join(seedDir, 'pod.yaml')]), 'pod/nginx created\n');
      assert.equal(ok(['apply', '-n', ns, '-f', join(seedDir, 'replication.yaml')]), 'replicationcontroller/nginx created\n');
      const rs = run(['apply', '-n', ns, '-f', join(seedDir, 'kuard-rs.yaml')]);
      assert.equal(rs.code, 0, rs.stderr);
      assert.equal(rs.stdout, 'replicaset.extensions/kuard created\n');
      assert.match(rs.stderr, /Warning: extensions\/v1beta1 ReplicaSet is deprecated/);
      assert.equal(ok(['apply', '-n', ns, '-f', join(seedDir, 'pod.yaml')]), 'pod/nginx unchanged\n');
      const changed = ok(['apply', '-n', ns, '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\n  labels:\n    app: nginx\n    version: "${minor}"\nspec:\n  containers:\n  - name: nginx\n    image: nginx\n    ports:\n    - containerPort: 80\n`);
      assert.equal(changed, 'pod/nginx configured\n');
    });

    test('get prints the upstream tables, -o wide, -o json and -o name', () => {
      assert.match(ok(['get', 'pods', '-n', ns]), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nnginx\s+0\/1\s+Pending\s+0\s+\S+\n$/);
      assert.match(ok(['get', 'pods', '-n', ns, '-o', 'wide']), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
      assert.match(ok(['get', 'rc', '-n', ns]), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nnginx\s+3\s+0\s+0\s+\S+\n$/);
      assert.match(ok(['get', 'rs', '-n', ns]), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nkuard\s+1\s+0\s+0\s+\S+\n$/);
      assert.equal(at(parseObject(ok(['get', 'pod', 'nginx', '-n', ns, '-o', 'json'])), 'metadata.labels.version'), String(minor));
      assert.equal(ok(['get', 'pods,rc', '-n', ns, '-o', 'name']), 'pod/nginx\nreplicationcontroller/nginx\n');
      const missing = run(['get', 'pod', 'nope', '-n', ns]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
    });

    test('explain pod.spec.containers describes the field', () => {
      const out = ok(['explain', 'pod.spec.containers']);
      assert.match(out, /^KIND:\s+Pod$/m);
      assert.match(out, /^VERSION:\s+v1$/m);
      assert.match(out, /containers <\[\]Container>/);
      assert.match(out, /^ {2}image\t<string>$/m);
      assert.match(out, /^ {2}name\t<string> -required-$/m);
    });

    test('api-resources lists pods, replication controllers and deployments with short names', () => {
      const out = ok(['api-resources']);
      assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(out, /^replicationcontrollers\s+rc\s+v1\s+true\s+ReplicationController$/m);
      assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    });
  });
}
