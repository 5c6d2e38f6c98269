// containerd 1.6's config.toml (schema version 2) for the containerd k8ts supervises, as k3s writes its own
// (k3s-io/k3s pkg/agent/templates/templates_linux.go): its own root, state and socket under the data dir, the
// CRI plugin with the sandbox image, runc through the v2 shim with cgroupfs, and CNI dirs of ours.

import { join } from 'node:path';
import type { RegistryAuth, Registries } from './registries.js';

/** The two snapshotters k8ts uses: overlayfs where the kernel and the backing filesystem allow it, else native. */
export type Snapshotter = 'overlayfs' | 'native';

export interface ContainerdConfigOptions {
  dataDir: string;
  sandboxImage: string;
  /** The runc binary the shim runs (an absolute path, so the shim does not depend on the PATH it inherits). */
  runcPath: string;
  snapshotter: Snapshotter;
  /** Default /usr/lib/cni (Debian's containernetworking-plugins). */
  cniBinDir?: string;
  /** Default `${dataDir}/agent/etc/cni/net.d`. */
  cniConfDir?: string;
  /** containerd's log level: trace, debug, info, warn, error, fatal, panic. Default info. */
  logLevel?: string;
  /** DATA_DIR/registries.yaml: its credentials go into config.toml (the hosts.toml files are written apart). */
  registries?: Registries;
}

/** Where the containerd of a data dir keeps its files. */
export interface ContainerdPaths {
  dir: string;
  root: string;
  state: string;
  socket: string;
  config: string;
  log: string;
  pidFile: string;
  opt: string;
  /** The registry hosts dir (config_path): one HOST/hosts.toml per registry with mirrors or TLS settings. */
  certsDir: string;
}

export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';

export function containerdPaths(dataDir: string): ContainerdPaths {
  const dir = join(dataDir, 'containerd');
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket: join(dir, 'containerd.sock'),
    config: join(dir, 'config.toml'),
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
    opt: join(dir, 'opt'),
    certsDir: join(dir, 'certs.d'),
  };
}

export function defaultCniConfDir(dataDir: string): string {
  return join(dataDir, 'agent', 'etc', 'cni', 'net.d');
}

/**
 * Plugins k8ts never uses: snapshotters for filesystems k8ts does not configure (each of them otherwise probes
 * the root at start and logs why it is skipped). The v1 runtime (io.containerd.runtime.v1.linux) stays: in 1.6 the
 * tasks service, and through it CRI, fails to load without it, although CRI itself runs io.containerd.runc.v2.
 */
export const DISABLED_PLUGINS: readonly string[] = [
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
];

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic']);

/** A TOML basic string: quotes, backslashes and control characters escaped. */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * The `registry.configs."HOST".auth` tables of registries.yaml's credentials: deprecated in containerd 1.6 but
 * honoured next to config_path for a pull that brings no credentials of its own, looked up by the host containerd
 * connects to (so docker.io's are also written for registry-1.docker.io).
 */
export function renderRegistryAuth(registries: Registries | undefined, indent: string): string[] {
  const byHost = new Map<string, RegistryAuth>();
  for (const [name, config] of registries?.configs ?? []) {
    if (config.auth === undefined || name === '*') continue;
    let host = name;
    if (name.includes('://')) {
      try {
        host = new URL(name).host;
      } catch {
        continue;
      }
    }
    byHost.set(host, config.auth);
    if (host === 'docker.io' && !registries?.configs.has('registry-1.docker.io')) byHost.set('registry-1.docker.io', config.auth);
  }
  const lines: string[] = [];
  for (const host of [...byHost.keys()].sort()) {
    const auth = byHost.get(host) ?? {};
    lines.push('', `${indent}[plugins."io.containerd.grpc.v1.cri".registry.configs.${tomlString(host)}.auth]`);
    for (const key of ['username', 'password', 'auth', 'identitytoken'] as const) {
      const v = auth[key];
      if (v !== undefined && v !== '') lines.push(`${indent}  ${key} = ${tomlString(v)}`);
    }
  }
  return lines;
}

/** Renders config.toml. The result is deterministic: the same options give the same text. */
export function renderContainerdConfig(opts: ContainerdConfigOptions): string {
  const paths = containerdPaths(opts.dataDir);
  const logLevel = opts.logLevel ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new Error(`invalid containerd log level ${JSON.stringify(logLevel)}: one of ${[...LOG_LEVELS].join(', ')}`);
  }
  const s = tomlString;
  const cri = '"io.containerd.grpc.v1.cri"';
  const lines = [
    '# Written by k8ts at every start of containerd; edits are lost.',
    'version = 2',
    `root = ${s(paths.root)}`,
    `state = ${s(paths.state)}`,
    `disabled_plugins = [${DISABLED_PLUGINS.map(s).join(', ')}]`,
    // containerd keeps its own oom_score_adj (0): this machine has no CAP_SYS_RESOURCE to lower it.
    'oom_score = 0',
    '',
    '[grpc]',
    `  address = ${s(paths.socket)}`,
    // Only the unix socket: no TCP listener.
    '  tcp_address = ""',
    '',
    '[debug]',
    `  level = ${s(logLevel)}`,
    '',
    // No metrics listener.
    '[metrics]',
    '  address = ""',
    '',
    '[plugins]',
    // The opt plugin installs into /opt/containerd by default; keep it in the data dir.
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${s(paths.opt)}`,
    '',
    `  [plugins.${cri}]`,
    `    sandbox_image = ${s(opts.sandboxImage)}`,
    // Without CAP_SYS_RESOURCE a container may not get an oom_score_adj below containerd's own; CRI clamps it.
    '    restrict_oom_score_adj = true',
    // Pods' network namespaces are pinned under the state dir (in the data dir), not /var/run/netns: whatever a
    // crash leaves behind goes with the node's data dir, and nodes of one machine never share the directory.
    '    netns_mounts_under_state_dir = true',
    '    enable_selinux = false',
    '    systemd_cgroup = false',
    // exec/attach/port-forward streams: loopback only, a free port chosen by the kernel (several containerds of
    // tests may run at once; the kubelet learns the URL from each CRI Exec/Attach/PortForward answer).
    '    stream_server_address = "127.0.0.1"',
    '    stream_server_port = "0"',
    '    enable_tls_streaming = false',
    '    disable_tcp_service = true',
    '',
    `    [plugins.${cri}.containerd]`,
    `      snapshotter = ${s(opts.snapshotter)}`,
    '      default_runtime_name = "runc"',
    '      disable_snapshot_annotations = true',
    '',
    `      [plugins.${cri}.containerd.runtimes.runc]`,
    '        runtime_type = "io.containerd.runc.v2"',
    '',
    `        [plugins.${cri}.containerd.runtimes.runc.options]`,
    `          BinaryName = ${s(opts.runcPath)}`,
    // cgroupfs: there is no systemd on this machine to delegate cgroups to.
    '          SystemdCgroup = false',
    '',
    `    [plugins.${cri}.cni]`,
    `      bin_dir = ${s(opts.cniBinDir ?? DEFAULT_CNI_BIN_DIR)}`,
    `      conf_dir = ${s(opts.cniConfDir ?? defaultCniConfDir(opts.dataDir))}`,
    '',
    // Mirrors and TLS settings of registries.yaml, as hosts.toml files (src/containerd/registries.ts).
    `    [plugins.${cri}.registry]`,
    `      config_path = ${s(paths.certsDir)}`,
    ...renderRegistryAuth(opts.registries, '    '),
    '',
  ];
  return lines.join('\n');
}
