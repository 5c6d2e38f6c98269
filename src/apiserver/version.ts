// /version: the upstream release k8ts implements, with k8ts's own build number.
import { readFileSync } from 'node:fs';

export const kubernetesVersion = { major: '1', minor: '32', patch: '0' };
export const k8tsBuild = 1;

let cached: Record<string, string> | undefined;

export function versionInfo(): Record<string, string> {
  if (cached !== undefined) return cached;
  let pkgVersion = '0.0.0';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    pkgVersion = pkg.version ?? pkgVersion;
  } catch {
    // running from an unusual layout: keep the default
  }
  cached = {
    major: kubernetesVersion.major,
    minor: kubernetesVersion.minor,
    gitVersion: `v${kubernetesVersion.major}.${kubernetesVersion.minor}.${kubernetesVersion.patch}-k8ts.${k8tsBuild}`,
    gitCommit: `k8ts-${pkgVersion}`,
    gitTreeState: 'clean',
    buildDate: '2026-11-22T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'k8ts',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
  return cached;
}
