import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  writeOciArchive,
  buildOciImageLayout,
  dockerRepoTag,
  goArch,
  MEDIA_TYPE_CONFIG,
  MEDIA_TYPE_INDEX,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_MANIFEST,
  type ImageSpec,
} from './oci-archive.js';
import { tarToBuffer } from './tar-writer.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-oci-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface JsonObject {
  [k: string]: unknown;
}
function obj(v: unknown, what: string): JsonObject {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} is an object`);
  return v as JsonObject;
}
function arr(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} is an array`);
  return v;
}
function str(v: unknown, what: string): string {
  assert.equal(typeof v, 'string', `${what} is a string`);
  return v as string;
}
function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

const secondLayerTar = tarToBuffer([{ type: 'file', name: 'app/data.txt', data: Buffer.from('layer two\n') }]);
const image: ImageSpec = {
  ref: 'example.test:5000/team/app:1.2',
  layers: [
    {
      entries: [
        { type: 'directory', name: 'bin' },
        { type: 'file', name: 'bin/app', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      ],
    },
    { tar: secondLayerTar, comment: 'second' },
  ],
  config: {
    entrypoint: ['/bin/app'],
    cmd: ['--serve'],
    env: ['PATH=/bin', 'MODE=test'],
    workingDir: '/app',
    user: '65534:65534',
    exposedPorts: ['8080/tcp', '53/udp', '9090'],
    labels: { team: 'a' },
  },
};

/** Extracts the archive with GNU tar and returns a reader of its files. */
function extract(file: string): ((path: string) => Buffer) & { root: string } {
  const root = join(dir, `x-${Math.random().toString(36).slice(2)}`);
  mkdirSync(root);
  execFileSync('tar', ['-xf', file, '-C', root]);
  return Object.assign((p: string) => readFileSync(join(root, p)), { root });
}

describe('OCI image archive', () => {
  test('every blob is stored under its own sha256 digest and described with its true size', async () => {
    const file = join(dir, 'app.tar');
    await writeOciArchive(file, image);
    const read = extract(file);
    const index = obj(JSON.parse(read('index.json').toString()), 'index.json');
    const mdesc = obj(arr(index['manifests'], 'manifests')[0], 'manifest descriptor');
    const blob = (digest: unknown): Buffer => read(`blobs/sha256/${str(digest, 'digest').replace(/^sha256:/, '')}`);

    const manifestBytes = blob(mdesc['digest']);
    assert.equal(sha256(manifestBytes), mdesc['digest']);
    assert.equal(manifestBytes.length, mdesc['size']);
    const manifest = obj(JSON.parse(manifestBytes.toString()), 'manifest');
    const cdesc = obj(manifest['config'], 'config descriptor');
    const configBytes = blob(cdesc['digest']);
    assert.equal(sha256(configBytes), cdesc['digest']);
    assert.equal(configBytes.length, cdesc['size']);
    const layers = arr(manifest['layers'], 'layers').map((l, i) => obj(l, `layer ${i}`));
    assert.equal(layers.length, 2);
    for (const l of layers) {
      assert.equal(l['mediaType'], MEDIA_TYPE_LAYER_GZIP);
      const gz = blob(l['digest']);
      assert.equal(sha256(gz), l['digest']);
      assert.equal(gz.length, l['size']);
    }
    const blobFiles = readdirSync(join(read.root, 'blobs/sha256'));
    assert.equal(blobFiles.length, 4, 'manifest, config and two layers');
  });

  test('index.json names the image for containerd and OCI tools and gives its platform', async () => {
    const file = join(dir, 'named.tar');
    await writeOciArchive(file, image);
    const read = extract(file);
    assert.deepEqual(JSON.parse(read('oci-layout').toString()), { imageLayoutVersion: '1.0.0' });
    const index = obj(JSON.parse(read('index.json').toString()), 'index.json');
    assert.equal(index['schemaVersion'], 2);
    assert.equal(index['mediaType'], MEDIA_TYPE_INDEX);
    const mdesc = obj(arr(index['manifests'], 'manifests')[0], 'manifest descriptor');
    assert.equal(mdesc['mediaType'], MEDIA_TYPE_MANIFEST);
    assert.deepEqual(mdesc['annotations'], {
      'io.containerd.image.name': 'example.test:5000/team/app:1.2',
      'org.opencontainers.image.ref.name': 'example.test:5000/team/app:1.2',
    });
    assert.deepEqual(mdesc['platform'], { architecture: goArch(), os: 'linux' });
  });

  test('the config lists the uncompressed layers as diff_ids and carries the runtime settings', () => {
    const layout = buildOciImageLayout(image);
    const layerBlobs = layout.layerDescriptors.map((d) => layout.blobs.find((b) => b.digest === d.digest));
    const uncompressed = layerBlobs.map((b) => gunzipSync(b?.data ?? Buffer.alloc(0)));
    assert.deepEqual(uncompressed[1], secondLayerTar);
    assert.deepEqual(layout.config['rootfs'], { type: 'layers', diff_ids: uncompressed.map(sha256) });
    assert.equal(layout.config['architecture'], goArch());
    assert.equal(layout.config['os'], 'linux');
    assert.deepEqual(layout.config['config'], {
      User: '65534:65534',
      ExposedPorts: { '8080/tcp': {}, '53/udp': {}, '9090/tcp': {} },
      Env: ['PATH=/bin', 'MODE=test'],
      Entrypoint: ['/bin/app'],
      Cmd: ['--serve'],
      WorkingDir: '/app',
      Labels: { team: 'a' },
    });
    assert.equal(arr(layout.config['history'], 'history').length, 2);
    assert.equal(obj(layout.manifest['config'], 'config').mediaType, MEDIA_TYPE_CONFIG);
  });

  test('the first layer holds exactly the entries given, as GNU tar reads them', () => {
    const layout = buildOciImageLayout(image);
    const first = layout.blobs.find((b) => b.digest === layout.layerDescriptors[0]?.digest);
    const file = join(dir, 'layer0.tar');
    execFileSync('sh', ['-c', `cat > ${file}`], { input: gunzipSync(first?.data ?? Buffer.alloc(0)) });
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(listing.length, 2);
    assert.match(listing[0] ?? '', /^drwxr-xr-x root\/root .* bin\/$/);
    assert.match(listing[1] ?? '', /^-rwxr-xr-x root\/root .* bin\/app$/);
  });

  test('the archive also carries a docker-style manifest.json pointing at the same blobs', async () => {
    const file = join(dir, 'docker.tar');
    await writeOciArchive(file, { ...image, ref: 'docker.io/library/busybox:latest' });
    const read = extract(file);
    const entries = arr(JSON.parse(read('manifest.json').toString()), 'manifest.json');
    assert.equal(entries.length, 1);
    const m = obj(entries[0], 'entry');
    assert.deepEqual(m['RepoTags'], ['busybox:latest']);
    const config = read(str(m['Config'], 'Config'));
    assert.equal(JSON.parse(config.toString()).architecture, goArch());
    for (const l of arr(m['Layers'], 'Layers')) assert.ok(gunzipSync(read(str(l, 'layer'))).length % 512 === 0);
  });

  test('the same image always gives the same archive bytes and digests', async () => {
    await writeOciArchive(join(dir, 'a.tar'), image);
    await writeOciArchive(join(dir, 'b.tar'), image);
    assert.deepEqual(readFileSync(join(dir, 'a.tar')), readFileSync(join(dir, 'b.tar')));
  });

  test('a reference without a tag or repository path is refused', async () => {
    await assert.rejects(writeOciArchive(join(dir, 'bad.tar'), { ...image, ref: 'busybox' }), /is not a full reference/);
    await assert.rejects(writeOciArchive(join(dir, 'bad.tar'), { ...image, ref: 'docker.io/library/Busybox:1' }), /is not a full reference/);
  });

  test('references map to docker repo tags and node architectures to GOARCH names', () => {
    assert.deepEqual(dockerRepoTag('docker.io/library/nginx:1.7.12'), { repo: 'nginx', tag: '1.7.12' });
    assert.deepEqual(dockerRepoTag('docker.io/kuar/app:2'), { repo: 'kuar/app', tag: '2' });
    assert.deepEqual(dockerRepoTag('gcr.io/kuar-demo/kuard-amd64:1'), { repo: 'gcr.io/kuar-demo/kuard-amd64', tag: '1' });
    assert.deepEqual(dockerRepoTag('localhost:5000/x'), { repo: 'localhost:5000/x', tag: 'latest' });
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
    assert.equal(goArch('ia32'), '386');
  });
});
