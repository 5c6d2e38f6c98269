import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { imageContentSize, parseImageList, parseImportOutput } from './images.js';

// Captured from ctr 1.6.20 (Debian 1.6.20~ds1-1+deb12u3) against a containerd started by startContainerd.
const IMPORT_OUTPUT = [
  'unpacking example.com/dock:1 (sha256:93a73598aa70047bc531c22b80720df1a0e6321c499fae70e778b72a1da81d69)...done',
  'unpacking example.com/dock:2 (sha256:93a73598aa70047bc531c22b80720df1a0e6321c499fae70e778b72a1da81d69)...done',
  '',
].join('\n');

const IMAGES_LS = [
  'REF                                                                     TYPE                                                 DIGEST                                                                  SIZE    PLATFORMS   LABELS                          ',
  'docker.io/library/busybox:latest                                        application/vnd.oci.image.manifest.v1+json           sha256:d5ba0e1bc35b4a4a5f249354becf0f98f94652275eab22ce032f24626d7bb232 1.0 MiB linux/amd64 io.cri-containerd.image=managed ',
  'example.com/dock:1                                                      application/vnd.docker.distribution.manifest.v2+json sha256:93a73598aa70047bc531c22b80720df1a0e6321c499fae70e778b72a1da81d69 1.0 MiB linux/amd64 io.cri-containerd.image=managed ',
  'sha256:3e8ca352677ec844ad07367210294c804803a9f02541f147574ad3d28d6f7f56 application/vnd.docker.distribution.manifest.v2+json sha256:93a73598aa70047bc531c22b80720df1a0e6321c499fae70e778b72a1da81d69 1.0 MiB linux/amd64 io.cri-containerd.image=managed ',
  '',
].join('\n');

// Image-layout documents of the busybox image built by src/images (and an index around it), as `ctr content get` prints them.
const BUSYBOX_MANIFEST =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:3e8ca352677ec844ad07367210294c804803a9f02541f147574ad3d28d6f7f56","size":387},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:26dcb669f42dfd389621cc6a6e141ed6b21915ed12dddf6fe816fa774ccf8d44","size":1052438}]}';
const MULTI_INDEX =
  '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111", "size": 405, "platform": {"architecture": "arm64", "os": "linux"}}, {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:d5ba0e1bc35b4a4a5f249354becf0f98f94652275eab22ce032f24626d7bb232", "size": 405, "platform": {"architecture": "amd64", "os": "linux"}}]}';
const BUSYBOX_DIGEST = 'sha256:d5ba0e1bc35b4a4a5f249354becf0f98f94652275eab22ce032f24626d7bb232';

function store(docs: Record<string, string>): (digest: string) => Promise<string> {
  return async (digest) => {
    const doc = docs[digest];
    if (doc === undefined) throw new Error(`ctr: content digest ${digest}: not found`);
    return doc;
  };
}

describe('ctr images output', () => {
  test('an import names every ref ctr unpacked, once each', () => {
    assert.deepEqual(parseImportOutput(IMPORT_OUTPUT), ['example.com/dock:1', 'example.com/dock:2']);
    assert.deepEqual(parseImportOutput(`${IMPORT_OUTPUT}${IMPORT_OUTPUT}`), ['example.com/dock:1', 'example.com/dock:2']);
    assert.deepEqual(parseImportOutput(''), []);
  });

  test('an image list gives ref, media type, digest, platforms and labels, skipping the header', () => {
    const rows = parseImageList(IMAGES_LS);
    assert.deepEqual(
      rows.map((r) => r.ref),
      ['docker.io/library/busybox:latest', 'example.com/dock:1', 'sha256:3e8ca352677ec844ad07367210294c804803a9f02541f147574ad3d28d6f7f56'],
    );
    assert.deepEqual(rows[1], {
      ref: 'example.com/dock:1',
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: 'sha256:93a73598aa70047bc531c22b80720df1a0e6321c499fae70e778b72a1da81d69',
      platforms: ['linux/amd64'],
      labels: { 'io.cri-containerd.image': 'managed' },
    });
    assert.deepEqual(parseImageList(IMAGES_LS.split('\n')[0] ?? ''), []);
  });

  test('an image without labels or platforms reads as empty ones', () => {
    const [row] = parseImageList(`example.com/x:1 application/vnd.oci.image.manifest.v1+json ${BUSYBOX_DIGEST} 405.0 B - -\n`);
    assert.deepEqual(row, {
      ref: 'example.com/x:1',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: BUSYBOX_DIGEST,
      platforms: [],
      labels: {},
    });
  });

  test("a manifest's size is the manifest, its config and its layers", async () => {
    const size = await imageContentSize(store({ [BUSYBOX_DIGEST]: BUSYBOX_MANIFEST }), BUSYBOX_DIGEST);
    assert.equal(size, 405 + 387 + 1052438);
  });

  test("an index's size adds the manifest of the platform asked for only", async () => {
    const indexDigest = 'sha256:9021d02932c2a02d5c52455f43c612dd651a5e06fe875726509bcf341e75dc9f';
    const fetch = store({ [indexDigest]: MULTI_INDEX, [BUSYBOX_DIGEST]: BUSYBOX_MANIFEST });
    assert.equal(await imageContentSize(fetch, indexDigest, 'amd64'), Buffer.byteLength(MULTI_INDEX) + 405 + 387 + 1052438);
    await assert.rejects(imageContentSize(fetch, indexDigest, 'arm64'), /content digest sha256:1{64}: not found/);
    assert.equal(await imageContentSize(fetch, indexDigest, 's390x'), Buffer.byteLength(MULTI_INDEX));
  });
});
