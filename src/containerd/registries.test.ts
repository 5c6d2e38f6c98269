import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binarySearchDirs, findBinary } from './containerd-binaries.js';
import { renderContainerdConfig, renderRegistryAuth, type ContainerdConfigOptions } from './containerd-config.js';
import {
  HOSTS_TOML_HEADER, hostConfigs, isLocalhost, normalizeEndpoint, parseRegistries, readRegistries, registryHostsDir,
  renderHostsToml, writeRegistryHosts,
} from './registries.js';

const FILE = '/var/lib/k8ts/registries.yaml';

describe('registries.yaml', () => {
  test('parses mirrors with endpoints and rewrites, and configs with auth and tls', () => {
    const reg = parseRegistries(
      [
        'mirrors:',
        '  docker.io:',
        '    endpoint: ["http://127.0.0.1:5000", "https://mirror.example.test"]',
        '    rewrite:',
        '      "^library/(.*)": "mirrored/$1"',
        'configs:',
        '  "mirror.example.test":',
        '    auth: { username: u, password: p }',
        '    tls: { ca_file: /etc/ca.pem, cert_file: /etc/c.pem, key_file: /etc/k.pem, insecure_skip_verify: true }',
      ].join('\n'),
      FILE,
    );
    assert.deepEqual(reg.mirrors.get('docker.io')?.endpoint, ['http://127.0.0.1:5000', 'https://mirror.example.test']);
    assert.equal(reg.mirrors.get('docker.io')?.rewrite.get('^library/(.*)'), 'mirrored/$1');
    assert.deepEqual(reg.configs.get('mirror.example.test'), {
      auth: { username: 'u', password: 'p' },
      tls: { ca_file: '/etc/ca.pem', cert_file: '/etc/c.pem', key_file: '/etc/k.pem', insecure_skip_verify: true },
    });
  });

  test('an empty file has no mirrors and no configs', () => {
    const reg = parseRegistries('', FILE);
    assert.equal(reg.mirrors.size, 0);
    assert.equal(reg.configs.size, 0);
  });

  test('invalid YAML and wrong shapes are errors naming the file', () => {
    assert.throws(() => parseRegistries('mirrors: [unclosed', FILE), /^Error: invalid registries file \/var\/lib\/k8ts\/registries\.yaml: /);
    assert.throws(() => parseRegistries('- a\n- b\n', FILE), /invalid registries file .*: the document must be a mapping/);
    assert.throws(() => parseRegistries('mirror:\n  docker.io: {}\n', FILE), /the document has unknown field "mirror"/);
    assert.throws(() => parseRegistries('mirrors:\n  docker.io:\n    endpoint: http://x\n', FILE), /mirrors\.docker\.io\.endpoint must be a list of URLs/);
    assert.throws(() => parseRegistries('configs:\n  x:\n    tls: { insecure_skip_verify: "yes" }\n', FILE), /configs\.x\.tls\.insecure_skip_verify must be true or false/);
    assert.throws(() => parseRegistries('configs:\n  x:\n    tls: { cert_file: /c.pem }\n', FILE), /needs both cert_file and key_file/);
  });

  test('a data dir without the file has no registries, and one with a broken file fails to read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-reg-'));
    try {
      assert.equal(readRegistries(dir).mirrors.size, 0);
      writeFileSync(join(dir, 'registries.yaml'), 'mirrors: {');
      assert.throws(() => readRegistries(dir), new RegExp(`invalid registries file ${join(dir, 'registries.yaml')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('registry endpoints', () => {
  test('an endpoint without a scheme is https, except loopback on another port than 443', () => {
    assert.deepEqual(normalizeEndpoint('registry.example.test'), { registry: 'registry.example.test', url: 'https://registry.example.test/v2', overridePath: false });
    assert.deepEqual(normalizeEndpoint('127.0.0.1:5000'), { registry: '127.0.0.1:5000', url: 'http://127.0.0.1:5000/v2', overridePath: false });
    assert.deepEqual(normalizeEndpoint('localhost:443'), { registry: 'localhost:443', url: 'https://localhost:443/v2', overridePath: false });
    assert.deepEqual(normalizeEndpoint('http://10.0.0.1:80/'), { registry: '10.0.0.1:80', url: 'http://10.0.0.1:80/v2', overridePath: false });
  });

  test('docker.io is served at registry-1.docker.io, and a path of its own overrides /v2', () => {
    assert.deepEqual(normalizeEndpoint('docker.io'), { registry: 'docker.io', url: 'https://registry-1.docker.io/v2', overridePath: false });
    assert.deepEqual(normalizeEndpoint('https://mirror.example.test/proxy/docker'), { registry: 'mirror.example.test', url: 'https://mirror.example.test/proxy/docker', overridePath: true });
  });

  test('an endpoint that is not an http URL is rejected', () => {
    assert.throws(() => normalizeEndpoint('ftp://x'), /neither http nor https/);
    assert.throws(() => normalizeEndpoint('http://u:p@x'), /may not have a query, fragment or user/);
  });

  test('loopback names and addresses are localhost', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '::1']) assert.equal(isLocalhost(h), true, h);
    for (const h of ['10.0.0.1:5000', 'example.test', '[::2]:5000']) assert.equal(isLocalhost(h), false, h);
  });
});

describe('hosts.toml', () => {
  test('a mirror is tried before the registry itself, which is the server', () => {
    const reg = parseRegistries('mirrors:\n  registry.example.test:\n    endpoint: ["http://127.0.0.1:5000"]\n', FILE);
    const { hosts, warnings } = hostConfigs(reg);
    assert.deepEqual(warnings, []);
    assert.equal(hosts.length, 1);
    assert.equal(
      renderHostsToml(hosts[0] ?? { dir: '', mirrors: [] }),
      [HOSTS_TOML_HEADER, 'server = "https://registry.example.test/v2"', '', '[host."http://127.0.0.1:5000/v2"]', '  capabilities = ["pull", "resolve"]', ''].join('\n'),
    );
    assert.equal(hosts[0]?.dir, 'registry.example.test');
  });

  test("a registry listed as its own last endpoint is only the server, and needs no file without settings", () => {
    const reg = parseRegistries('mirrors:\n  "127.0.0.1:5000":\n    endpoint: ["http://127.0.0.1:5000"]\n', FILE);
    assert.deepEqual(hostConfigs(reg).hosts, []);
  });

  test('TLS settings of a config go to the server, and of a mirror host to its [host] table', () => {
    const reg = parseRegistries(
      [
        'mirrors:',
        '  docker.io:',
        '    endpoint: ["https://mirror.example.test:8443/proxy"]',
        'configs:',
        '  "mirror.example.test:8443":',
        '    tls: { ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem }',
        '  "secure.example.test":',
        '    tls: { insecure_skip_verify: true }',
      ].join('\n'),
      FILE,
    );
    const { hosts } = hostConfigs(reg);
    assert.deepEqual(hosts.map((h) => h.dir), ['docker.io', 'mirror.example.test:8443', 'secure.example.test']);
    const docker = renderHostsToml(hosts[0] ?? { dir: '', mirrors: [] });
    assert.match(docker, /^server = "https:\/\/registry-1\.docker\.io\/v2"$/m);
    assert.match(docker, /\[host\."https:\/\/mirror\.example\.test:8443\/proxy"\]\n {2}capabilities = \["pull", "resolve"\]\n {2}override_path = true\n {2}ca = \["\/ca\.pem"\]\n {2}client = \[\["\/c\.pem", "\/k\.pem"\]\]\n/);
    const secure = renderHostsToml(hosts[2] ?? { dir: '', mirrors: [] });
    assert.match(secure, /^server = "https:\/\/secure\.example\.test\/v2"\nskip_verify = true$/m);
  });

  test('a "*" mirror goes to _default without a server, and rewrites are reported as not applied', () => {
    const reg = parseRegistries('mirrors:\n  "*":\n    endpoint: ["http://127.0.0.1:5000"]\n    rewrite: { "a": "b" }\n', FILE);
    const { hosts, warnings } = hostConfigs(reg);
    assert.equal(hosts[0]?.dir, '_default');
    assert.equal(hosts[0]?.server, undefined);
    assert.doesNotMatch(renderHostsToml(hosts[0] ?? { dir: '', mirrors: [] }), /server/);
    assert.match(warnings[0] ?? '', /mirrors\.\*\.rewrite .*not applied/);
  });

  test('writing replaces the dirs k8ts wrote before and leaves the others alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-certs-'));
    try {
      mkdirSync(join(dir, 'old.example.test'));
      writeFileSync(join(dir, 'old.example.test', 'hosts.toml'), `${HOSTS_TOML_HEADER}\nserver = "https://old.example.test"\n`);
      mkdirSync(join(dir, 'theirs.example.test'));
      writeFileSync(join(dir, 'theirs.example.test', 'hosts.toml'), 'server = "https://theirs.example.test"\n');
      writeRegistryHosts(dir, parseRegistries('mirrors:\n  registry.example.test:\n    endpoint: ["http://127.0.0.1:5000"]\n', FILE));
      assert.equal(existsSync(join(dir, 'old.example.test')), false);
      assert.equal(existsSync(join(dir, 'theirs.example.test', 'hosts.toml')), true);
      assert.match(readFileSync(join(dir, 'registry.example.test', 'hosts.toml'), 'utf8'), /\[host\."http:\/\/127\.0\.0\.1:5000\/v2"\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('registry credentials in config.toml', () => {
  const base: ContainerdConfigOptions = { dataDir: '/var/lib/k8ts', sandboxImage: 'registry.k8s.io/pause:3.10', runcPath: '/usr/sbin/runc', snapshotter: 'overlayfs' };

  test('config_path points at DATA_DIR/containerd/certs.d', () => {
    assert.match(renderContainerdConfig(base), /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\n {6}config_path = "\/var\/lib\/k8ts\/containerd\/certs\.d"\n/);
    assert.equal(registryHostsDir('/var/lib/k8ts'), '/var/lib/k8ts/containerd/certs.d');
  });

  test("each config's auth is a configs table by host, docker.io's also for registry-1.docker.io", () => {
    const reg = parseRegistries('configs:\n  "127.0.0.1:5000":\n    auth: { username: u, password: "p\\"w" }\n  docker.io:\n    auth: { auth: dTpw }\n  notls:\n    tls: {}\n', FILE);
    assert.deepEqual(renderRegistryAuth(reg, ''), [
      '', '[plugins."io.containerd.grpc.v1.cri".registry.configs."127.0.0.1:5000".auth]', '  username = "u"', '  password = "p\\"w"',
      '', '[plugins."io.containerd.grpc.v1.cri".registry.configs."docker.io".auth]', '  auth = "dTpw"',
      '', '[plugins."io.containerd.grpc.v1.cri".registry.configs."registry-1.docker.io".auth]', '  auth = "dTpw"',
    ]);
  });

  const containerd = findBinary('containerd', binarySearchDirs());
  test(
    "containerd's own parser reads back config_path and the credentials",
    { skip: containerd === undefined ? 'containerd is not installed (apt-get install containerd)' : false },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'k8ts-regcfg-'));
      try {
        const file = join(dir, 'config.toml');
        const registries = parseRegistries('configs:\n  "127.0.0.1:5000":\n    auth: { username: alice, password: secret }\n', FILE);
        writeFileSync(file, renderContainerdConfig({ ...base, dataDir: dir, registries }));
        const dump = execFileSync(containerd ?? 'containerd', ['--config', file, 'config', 'dump'], { encoding: 'utf8' });
        const lines = dump.split('\n').map((l) => l.trim());
        assert.ok(lines.includes(`config_path = "${join(dir, 'containerd', 'certs.d')}"`), dump);
        assert.ok(lines.includes('[plugins."io.containerd.grpc.v1.cri".registry.configs."127.0.0.1:5000".auth]'), dump);
        assert.ok(lines.includes('username = "alice"'), dump);
        assert.ok(lines.includes('password = "secret"'), dump);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
