// Writes an OCI image layout (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md) as a
// tar archive, built offline: gzip-compressed layers, the image config and the manifest under blobs/sha256/,
// index.json naming the image. The same archive also carries a Docker-style manifest.json (as `docker save`
// has written since Docker 25), so tools that read only docker-archives accept it too.
//
// containerd 1.6's `ctr images import` names an image from the index descriptor's `io.containerd.image.name`
// annotation (falling back to `org.opencontainers.image.ref.name`); both carry the full reference here.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { encodeTar, tarToBuffer, type TarEntry } from './tar-writer.js';

export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

/** One image layer: the entries of its (uncompressed) tar, or the tar itself already encoded. */
export type LayerSpec = { entries: TarEntry[]; comment?: string } | { tar: Buffer; comment?: string };

/** The runtime configuration of an image (the `config` object of the OCI image config) and its platform. */
export interface ImageConfigSpec {
  entrypoint?: string[];
  cmd?: string[];
  /** "NAME=value" strings, as in the image config. */
  env?: string[];
  workingDir?: string;
  user?: string;
  /** "80/tcp", "53/udp" … */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
  /** GOARCH name; defaults to this machine's (process.arch mapped to GOARCH). */
  architecture?: string;
  /** e.g. "v7" for arm. */
  variant?: string;
  os?: string;
  /** RFC 3339; defaults to the epoch so that archives are reproducible. */
  created?: string;
}

export interface ImageSpec {
  /** A full image reference, e.g. docker.io/library/busybox:latest. */
  ref: string;
  layers: LayerSpec[];
  config: ImageConfigSpec;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

/** A blob of the archive: its content, digest and size. */
export interface Blob {
  digest: string;
  data: Buffer;
}

/** Everything that goes into the archive, computed in memory (layers are small in this project's use). */
export interface OciImageLayout {
  ref: string;
  index: Record<string, unknown>;
  manifest: Record<string, unknown>;
  config: Record<string, unknown>;
  /** manifest, config and layers, each once. */
  blobs: Blob[];
  /** Descriptor of the manifest, as listed in index.json. */
  manifestDescriptor: Descriptor;
  configDescriptor: Descriptor;
  layerDescriptors: Descriptor[];
  /** sha256 digests of the uncompressed layer tars (the config's rootfs.diff_ids). */
  diffIds: string[];
}

const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** This machine's architecture as Go (and so OCI) names it. */
export function goArch(nodeArch: string = process.arch): string {
  return GOARCH[nodeArch] ?? nodeArch;
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The docker-archive form of a reference: "docker.io/library/busybox:latest" -> "busybox:latest". */
export function dockerRepoTag(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = noDigest.lastIndexOf(':');
  const slash = noDigest.lastIndexOf('/');
  let repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const tag = colon > slash ? noDigest.slice(colon + 1) : 'latest';
  repo = repo.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
  return { repo, tag };
}

/** A reference must name a repository and carry a tag (containerd stores images under their full name). */
function validateRef(ref: string): void {
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)+:[\w][\w.-]{0,127}$/.test(ref)) {
    throw new Error(`image reference ${JSON.stringify(ref)} is not a full reference such as docker.io/library/busybox:latest`);
  }
}

function jsonBlob(value: unknown): Blob {
  const data = Buffer.from(JSON.stringify(value));
  return { digest: sha256Digest(data), data };
}

/** Builds the layout in memory: compresses the layers and writes the config, manifest and index. */
export function buildOciImageLayout(image: ImageSpec): OciImageLayout {
  validateRef(image.ref);
  const created = image.config.created ?? '1970-01-01T00:00:00Z';
  const layerBlobs: Blob[] = [];
  const diffIds: string[] = [];
  for (const layer of image.layers) {
    const tar = 'tar' in layer ? layer.tar : tarToBuffer(layer.entries);
    diffIds.push(sha256Digest(tar));
    const gz = gzipSync(tar, { level: 9 });
    layerBlobs.push({ digest: sha256Digest(gz), data: gz });
  }

  const c = image.config;
  const runtime: Record<string, unknown> = {};
  if (c.user !== undefined) runtime['User'] = c.user;
  if (c.exposedPorts && c.exposedPorts.length > 0) {
    runtime['ExposedPorts'] = Object.fromEntries(c.exposedPorts.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]));
  }
  runtime['Env'] = c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (c.entrypoint !== undefined) runtime['Entrypoint'] = c.entrypoint;
  if (c.cmd !== undefined) runtime['Cmd'] = c.cmd;
  if (c.workingDir !== undefined) runtime['WorkingDir'] = c.workingDir;
  if (c.labels !== undefined) runtime['Labels'] = c.labels;
  if (c.stopSignal !== undefined) runtime['StopSignal'] = c.stopSignal;

  const architecture = c.architecture ?? goArch();
  const os = c.os ?? 'linux';
  const config: Record<string, unknown> = {
    created,
    architecture,
    ...(c.variant !== undefined ? { variant: c.variant } : {}),
    os,
    config: runtime,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: image.layers.map((l) => ({ created, created_by: l.comment ?? 'k8ts image builder' })),
  };
  const configBlob = jsonBlob(config);

  const configDescriptor: Descriptor = { mediaType: MEDIA_TYPE_CONFIG, digest: configBlob.digest, size: configBlob.data.length };
  const layerDescriptors: Descriptor[] = layerBlobs.map((b) => ({
    mediaType: MEDIA_TYPE_LAYER_GZIP,
    digest: b.digest,
    size: b.data.length,
  }));
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: configDescriptor,
    layers: layerDescriptors,
  };
  const manifestBlob = jsonBlob(manifest);
  const manifestDescriptor: Descriptor = {
    mediaType: MEDIA_TYPE_MANIFEST,
    digest: manifestBlob.digest,
    size: manifestBlob.data.length,
    annotations: { [ANNOTATION_CONTAINERD_IMAGE_NAME]: image.ref, [ANNOTATION_REF_NAME]: image.ref },
    platform: { architecture, os, ...(c.variant !== undefined ? { variant: c.variant } : {}) },
  };
  const index = { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [manifestDescriptor] };

  const blobs: Blob[] = [];
  const seen = new Set<string>();
  for (const b of [manifestBlob, configBlob, ...layerBlobs]) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    blobs.push(b);
  }
  return { ref: image.ref, index, manifest, config, blobs, manifestDescriptor, configDescriptor, layerDescriptors, diffIds };
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** The tar entries of the archive: oci-layout, index.json, the blobs, and docker's manifest.json. */
export function ociArchiveEntries(layout: OciImageLayout): TarEntry[] {
  const { repo, tag } = dockerRepoTag(layout.ref);
  const dockerManifest = [
    {
      Config: blobPath(layout.configDescriptor.digest),
      RepoTags: [`${repo}:${tag}`],
      Layers: layout.layerDescriptors.map((l) => blobPath(l.digest)),
    },
  ];
  const file = (name: string, data: Buffer): TarEntry => ({ type: 'file', name, data, mode: 0o644 });
  return [
    file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }))),
    file('index.json', Buffer.from(JSON.stringify(layout.index))),
    { type: 'directory', name: 'blobs', mode: 0o755 },
    { type: 'directory', name: 'blobs/sha256', mode: 0o755 },
    ...layout.blobs.map((b) => file(blobPath(b.digest), b.data)),
    file('manifest.json', Buffer.from(JSON.stringify(dockerManifest))),
  ];
}

/** Writes an OCI image layout archive for `image` to `file`; `ctr -n k8s.io images import FILE` names it image.ref. */
export async function writeOciArchive(file: string, image: ImageSpec): Promise<void> {
  const layout = buildOciImageLayout(image);
  await pipeline(encodeTar(ociArchiveEntries(layout)), createWriteStream(file));
}
