// containerd's loaded plugins as `ctr plugins ls` prints them:
//   TYPE                            ID          PLATFORMS      STATUS
//   io.containerd.snapshotter.v1    overlayfs   linux/amd64    ok
// STATUS is ok, skip (the plugin declined to load) or error (it failed: the overlayfs snapshotter on a root without
// d_type, for one).

import { runCtr } from './run-ctr.js';

export interface PluginStatus {
  type: string;
  id: string;
  platforms: string;
  status: string;
}

export function parseCtrPlugins(text: string): PluginStatus[] {
  const plugins: PluginStatus[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4 || fields[0] === 'TYPE') continue;
    const [type, id, platforms, status] = fields as [string, string, string, string];
    plugins.push({ type, id, platforms, status });
  }
  return plugins;
}

export async function listPlugins(socketPath: string, ctrPath?: string): Promise<PluginStatus[]> {
  const out = await runCtr(socketPath, ['plugins', 'ls'], ctrPath === undefined ? { timeoutMs: 30_000 } : { ctrPath, timeoutMs: 30_000 });
  return parseCtrPlugins(out);
}
