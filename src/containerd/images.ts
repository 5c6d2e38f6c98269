// Images in containerd's k8s.io namespace (the one its CRI plugin serves) through `ctr`: importing archives for
// air-gapped nodes (`k8ts images import`) and listing them (`k8ts images list`).

import { runCtr, type RunCtrOptions } from './run-ctr.js';

/** The containerd namespace of CRI's images and containers. */
export const K8S_NAMESPACE = 'k8s.io';

export interface ImageRecord {
  ref: string;
  /** The digest of the image's target: its manifest, or its index for a multi-platform image. */
  digest: string;
  /** Bytes of content, as containerd counts an image's size: the target, the host platform's manifest, config and (compressed) layers. */
  size: number;
}

export interface ImageCommandOptions {
  ctrPath?: string;
  timeoutMs?: number;
}

function ctrOptions(opts: ImageCommandOptions): RunCtrOptions {
  return {
    namespace: K8S_NAMESPACE,
    ...(opts.ctrPath !== undefined ? { ctrPath: opts.ctrPath } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  };
}

/**
 * The refs `ctr images import` reports, one line per image it created or updated:
 *   unpacking docker.io/library/busybox:latest (sha256:d5ba…)...done
 */
export function parseImportOutput(text: string): string[] {
  const refs: string[] = [];
  for (const raw of text.split('\n')) {
    const ref = /^unpacking (\S+) \(sha256:[0-9a-f]{64}\)\.\.\.done$/.exec(raw.trim())?.[1];
    if (ref !== undefined && !refs.includes(ref)) refs.push(ref);
  }
  return refs;
}

/**
 * Imports a docker-archive (`docker save`) or OCI image-layout archive into the k8s.io namespace and unpacks it,
 * resolving with the image refs it named. Only the host platform's content is imported (ctr's default, as a pull
 * does): with --all-platforms, ctr 1.6 fails on a multi-platform archive that carries the blobs of some platforms
 * only, which is what saving a multi-platform image usually gives.
 */
export async function importImageArchive(socketPath: string, file: string, opts: ImageCommandOptions = {}): Promise<string[]> {
  const out = await runCtr(socketPath, ['images', 'import', file], { timeoutMs: 600_000, ...ctrOptions(opts) });
  return parseImportOutput(out);
}

export interface ImageListRow {
  ref: string;
  mediaType: string;
  digest: string;
  platforms: string[];
  labels: Record<string, string>;
}

/**
 * `ctr images ls` rows:
 *   REF                              TYPE                                       DIGEST        SIZE    PLATFORMS   LABELS
 *   docker.io/library/busybox:latest application/vnd.oci.image.manifest.v1+json sha256:d5ba… 1.0 MiB linux/amd64 io.cri-containerd.image=managed
 * SIZE is rounded for humans (and holds a space); listImages computes exact sizes from the content instead.
 */
export function parseImageList(text: string): ImageListRow[] {
  const rows: ImageListRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(sha256:[0-9a-f]{64})\s+\S+ \S+\s+(\S+)\s+(\S+)\s*$/.exec(line.trim());
    if (!m) continue;
    const [, ref, mediaType, digest, platforms, labels] = m as unknown as [string, string, string, string, string, string];
    const labelMap: Record<string, string> = {};
    if (labels !== '-') {
      for (const pair of labels.split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) labelMap[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
    rows.push({ ref, mediaType, digest, platforms: platforms === '-' ? [] : platforms.split(','), labels: labelMap });
  }
  return rows;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface ContentDescriptor {
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
}

function descriptor(v: unknown): ContentDescriptor | undefined {
  if (!isRecord(v) || typeof v['digest'] !== 'string' || typeof v['size'] !== 'number') return undefined;
  const d: ContentDescriptor = { digest: v['digest'], size: v['size'] };
  const p = v['platform'];
  if (isRecord(p)) {
    d.platform = {
      ...(typeof p['os'] === 'string' ? { os: p['os'] } : {}),
      ...(typeof p['architecture'] === 'string' ? { architecture: p['architecture'] } : {}),
    };
  }
  return d;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The host's architecture as Go and OCI name it (amd64 for Node's x64). */
export function hostGoArch(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}

/** The platform's entry of an index: containerd's size counts one manifest of it. */
function platformManifest(manifests: ContentDescriptor[], arch: string): ContentDescriptor | undefined {
  return manifests.find((m) => (m.platform?.os ?? 'linux') === 'linux' && (m.platform?.architecture ?? arch) === arch);
}

/**
 * An image's size from the JSON documents of its target, as containerd's images.Image.Size walks them: the target,
 * then for an index the host platform's manifest, then the manifest's config and layers.
 */
export async function imageContentSize(fetch: (digest: string) => Promise<string>, digest: string, arch: string = hostGoArch()): Promise<number> {
  const text = await fetch(digest);
  let size = Buffer.byteLength(text, 'utf8');
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc)) return size;
  if (Array.isArray(doc['manifests'])) {
    const manifests = doc['manifests'].map(descriptor).filter((d): d is ContentDescriptor => d !== undefined);
    const chosen = platformManifest(manifests, arch);
    if (chosen) size += await imageContentSize(fetch, chosen.digest, arch);
    return size;
  }
  const config = descriptor(doc['config']);
  if (config) size += config.size;
  if (Array.isArray(doc['layers'])) {
    for (const layer of doc['layers']) size += descriptor(layer)?.size ?? 0;
  }
  return size;
}

/** Every image ref in the k8s.io namespace (CRI's image-ID refs `sha256:…` included), with exact sizes. */
export async function listImages(socketPath: string, opts: ImageCommandOptions = {}): Promise<ImageRecord[]> {
  const rows = parseImageList(await runCtr(socketPath, ['images', 'ls'], ctrOptions(opts)));
  const fetched = new Map<string, Promise<string>>();
  const fetch = (digest: string): Promise<string> => {
    let text = fetched.get(digest);
    if (!text) {
      text = runCtr(socketPath, ['content', 'get', digest], ctrOptions(opts));
      fetched.set(digest, text);
    }
    return text;
  };
  const sizes = new Map<string, Promise<number>>();
  const records: ImageRecord[] = [];
  for (const row of rows) {
    let size = sizes.get(row.digest);
    if (!size) {
      size = imageContentSize(fetch, row.digest);
      sizes.set(row.digest, size);
    }
    records.push({ ref: row.ref, digest: row.digest, size: await size });
  }
  return records;
}
