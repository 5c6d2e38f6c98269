// The command lines `k8ts cluster create` runs in each node's network namespace: `k8ts server` on the master,
// `k8ts agent` on the others (as a Magnum bay's master and minions). Kept in this one file.

export const flannelBackends = ['vxlan', 'host-gw'] as const;
export type FlannelBackend = (typeof flannelBackends)[number];

/** The default, as flannel's and k3s's. */
export const DEFAULT_FLANNEL_BACKEND: FlannelBackend = 'vxlan';

export function isFlannelBackend(s: string): s is FlannelBackend {
  return (flannelBackends as readonly string[]).includes(s);
}

/** The API server's port on the master's address. */
export const API_PORT = 6443;

/** `k8ts server` for the master, after `nsenter --net=NETNS k8ts`. */
export function masterArgs(o: { dataDir: string; nodeName: string; ip: string; flannelBackend: FlannelBackend }): string[] {
  return [
    'server',
    '--data-dir',
    o.dataDir,
    '--node-name',
    o.nodeName,
    '--node-ip',
    o.ip,
    '--advertise-address',
    o.ip,
    '--tls-san',
    o.ip,
    '--flannel-backend',
    o.flannelBackend,
  ];
}

/** `k8ts agent` for node i, after `nsenter --net=NETNS k8ts`; `tokenFile` is the master's DATA_DIR/token. */
export function agentArgs(o: { dataDir: string; nodeName: string; ip: string; masterIp: string; tokenFile: string }): string[] {
  return ['agent', '--server', `https://${o.masterIp}:${API_PORT}`, '--token-file', o.tokenFile, '--data-dir', o.dataDir, '--node-name', o.nodeName, '--node-ip', o.ip];
}
