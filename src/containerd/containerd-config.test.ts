import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binarySearchDirs, findBinary } from './containerd-binaries.js';
import { containerdPaths, DISABLED_PLUGINS, renderContainerdConfig, tomlString, type ContainerdConfigOptions } from './containerd-config.js';

type TomlValue = string | boolean | number | string[];

/**
 * Reads back the TOML subset the renderer writes: [tables] with quoted dotted keys, `key = value` with basic strings,
 * booleans, integers and arrays of strings. Anything else fails the test.
 */
function parseTomlSubset(text: string): Map<string, TomlValue> {
  const values = new Map<string, TomlValue>();
  let table = '';
  const str = String.raw`"(?:[^"\\]|\\.)*"`;
  const unquote = (s: string): string => JSON.parse(s) as string;
  const splitKey = (key: string): string[] => [...key.matchAll(new RegExp(`${str}|[A-Za-z0-9_-]+`, 'g'))].map((m) => (m[0].startsWith('"') ? unquote(m[0]) : m[0]));
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      table = splitKey(header[1]).join('/');
      continue;
    }
    const kv = new RegExp(`^([A-Za-z0-9_-]+) = (${str}|true|false|-?\\d+|\\[(?:${str}(?:, ${str})*)?\\])$`).exec(line);
    assert.ok(kv?.[1] !== undefined && kv[2] !== undefined, `not TOML of the expected shape: ${line}`);
    const [key, v] = [kv[1], kv[2]];
    let value: TomlValue;
    if (v === 'true' || v === 'false') value = v === 'true';
    else if (v.startsWith('"')) value = unquote(v);
    else if (v.startsWith('[')) value = [...v.matchAll(new RegExp(str, 'g'))].map((m) => unquote(m[0]));
    else value = Number(v);
    const path = table === '' ? key : `${table}/${key}`;
    assert.ok(!values.has(path), `duplicate key ${path}`);
    values.set(path, value);
  }
  return values;
}

const CRI = 'plugins/io.containerd.grpc.v1.cri';
const base: ContainerdConfigOptions = {
  dataDir: '/var/lib/k8ts',
  sandboxImage: 'registry.k8s.io/pause:3.10',
  runcPath: '/usr/sbin/runc',
  snapshotter: 'overlayfs',
};

describe('containerd config', () => {
  test('puts root, state and socket under DATA_DIR/containerd', () => {
    const toml = parseTomlSubset(renderContainerdConfig(base));
    assert.equal(toml.get('version'), 2);
    assert.equal(toml.get('root'), '/var/lib/k8ts/containerd/root');
    assert.equal(toml.get('state'), '/var/lib/k8ts/containerd/state');
    assert.equal(toml.get('grpc/address'), '/var/lib/k8ts/containerd/containerd.sock');
    assert.equal(toml.get('grpc/address'), containerdPaths('/var/lib/k8ts').socket);
    assert.equal(toml.get('grpc/tcp_address'), '');
    assert.equal(toml.get('metrics/address'), '');
    assert.equal(toml.get('plugins/io.containerd.internal.v1.opt/path'), '/var/lib/k8ts/containerd/opt');
  });

  test('configures CRI with the sandbox image, restricted oom_score_adj and no SELinux', () => {
    const toml = parseTomlSubset(renderContainerdConfig(base));
    assert.equal(toml.get(`${CRI}/sandbox_image`), 'registry.k8s.io/pause:3.10');
    assert.equal(toml.get(`${CRI}/restrict_oom_score_adj`), true);
    assert.equal(toml.get(`${CRI}/enable_selinux`), false);
  });

  test('runs runc through the v2 shim with cgroupfs', () => {
    const toml = parseTomlSubset(renderContainerdConfig(base));
    assert.equal(toml.get(`${CRI}/containerd/default_runtime_name`), 'runc');
    assert.equal(toml.get(`${CRI}/containerd/runtimes/runc/runtime_type`), 'io.containerd.runc.v2');
    assert.equal(toml.get(`${CRI}/containerd/runtimes/runc/options/SystemdCgroup`), false);
    assert.equal(toml.get(`${CRI}/containerd/runtimes/runc/options/BinaryName`), '/usr/sbin/runc');
  });

  test('uses the snapshotter it is given', () => {
    assert.equal(parseTomlSubset(renderContainerdConfig(base)).get(`${CRI}/containerd/snapshotter`), 'overlayfs');
    const native = parseTomlSubset(renderContainerdConfig({ ...base, snapshotter: 'native' }));
    assert.equal(native.get(`${CRI}/containerd/snapshotter`), 'native');
  });

  test('binds the streaming server to loopback only', () => {
    const toml = parseTomlSubset(renderContainerdConfig(base));
    assert.equal(toml.get(`${CRI}/stream_server_address`), '127.0.0.1');
    assert.equal(toml.get(`${CRI}/disable_tcp_service`), true);
  });

  test('defaults the CNI dirs to /usr/lib/cni and DATA_DIR/agent/etc/cni/net.d', () => {
    const toml = parseTomlSubset(renderContainerdConfig(base));
    assert.equal(toml.get(`${CRI}/cni/bin_dir`), '/usr/lib/cni');
    assert.equal(toml.get(`${CRI}/cni/conf_dir`), '/var/lib/k8ts/agent/etc/cni/net.d');
    const custom = parseTomlSubset(renderContainerdConfig({ ...base, cniBinDir: '/opt/cni/bin', cniConfDir: '/etc/cni/net.d' }));
    assert.equal(custom.get(`${CRI}/cni/bin_dir`), '/opt/cni/bin');
    assert.equal(custom.get(`${CRI}/cni/conf_dir`), '/etc/cni/net.d');
  });

  test('disables the snapshotters k8ts does not use', () => {
    const disabled = parseTomlSubset(renderContainerdConfig(base)).get('disabled_plugins');
    assert.deepEqual(disabled, [...DISABLED_PLUGINS]);
    for (const fs of ['aufs', 'btrfs', 'devmapper', 'zfs']) assert.ok(DISABLED_PLUGINS.includes(`io.containerd.snapshotter.v1.${fs}`));
    assert.ok(!DISABLED_PLUGINS.includes('io.containerd.snapshotter.v1.overlayfs'));
    assert.ok(!DISABLED_PLUGINS.includes('io.containerd.snapshotter.v1.native'));
  });

  test('sets the log level, and rejects one containerd does not know', () => {
    assert.equal(parseTomlSubset(renderContainerdConfig(base)).get('debug/level'), 'info');
    assert.equal(parseTomlSubset(renderContainerdConfig({ ...base, logLevel: 'debug' })).get('debug/level'), 'debug');
    assert.throws(() => renderContainerdConfig({ ...base, logLevel: 'verbose' }), /invalid containerd log level "verbose"/);
  });

  test('escapes quotes, backslashes and control characters in strings', () => {
    assert.equal(tomlString('a"b\\c\nd\u0001'), '"a\\"b\\\\c\\nd\\u0001"');
    const toml = parseTomlSubset(renderContainerdConfig({ ...base, dataDir: '/tmp/we"ird\\dir' }));
    assert.equal(toml.get('root'), '/tmp/we"ird\\dir/containerd/root');
  });

  const containerd = findBinary('containerd', binarySearchDirs());
  test(
    "is accepted by containerd's own parser, which reads back the same values",
    { skip: containerd === undefined ? 'containerd is not installed (apt-get install containerd)' : false },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'k8ts-ctdcfg-'));
      try {
        const file = join(dir, 'config.toml');
        writeFileSync(file, renderContainerdConfig({ ...base, dataDir: dir }));
        const dump = execFileSync(containerd ?? 'containerd', ['--config', file, 'config', 'dump'], { encoding: 'utf8' });
        const has = (line: string): void => assert.ok(dump.split('\n').some((l) => l.trim() === line), `config dump lacks ${line}`);
        has(`root = ${tomlString(join(dir, 'containerd/root'))}`);
        has(`address = ${tomlString(join(dir, 'containerd/containerd.sock'))}`);
        has('restrict_oom_score_adj = true');
        has('sandbox_image = "registry.k8s.io/pause:3.10"');
        has('snapshotter = "overlayfs"');
        has('SystemdCgroup = false');
        has('stream_server_address = "127.0.0.1"');
        has(`conf_dir = ${tomlString(join(dir, 'agent/etc/cni/net.d'))}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
