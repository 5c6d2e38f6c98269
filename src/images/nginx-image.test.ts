import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  NGINX_CONF,
  NGINX_PATH,
  NGINX_TUTORIAL_REFS,
  NGINX_WELCOME_PAGE,
  buildNginxImage,
  multiRefArchiveEntries,
  nginxImageSpec,
  nginxLayerEntries,
  parseLddOutput,
} from './nginx-image.js';
import type { TarEntry } from './tar-writer.js';

const run = promisify(execFile);

const LDD_NGINX = `\tlinux-vdso.so.1 (0x00007f358cddf000)
\tlibcrypt.so.1 => /lib/x86_64-linux-gnu/libcrypt.so.1 (0x00007f358cc3e000)
\tlibpcre2-8.so.0 => /lib/x86_64-linux-gnu/libpcre2-8.so.0 (0x00007f358cba4000)
\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f358cafb000)
\tlibcrypto.so.3 => /lib/x86_64-linux-gnu/libcrypto.so.3 (0x00007f358c600000)
\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f358cadc000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f358c41e000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f358cde1000)
`;

const fileNamed = (entries: TarEntry[], name: string): TarEntry | undefined => entries.find((e) => e.name === name);

describe('ldd output', () => {
  test('names every shared library and the dynamic loader, without the vDSO', () => {
    assert.deepEqual(parseLddOutput(LDD_NGINX), [
      '/lib/x86_64-linux-gnu/libcrypt.so.1',
      '/lib/x86_64-linux-gnu/libpcre2-8.so.0',
      '/lib/x86_64-linux-gnu/libssl.so.3',
      '/lib/x86_64-linux-gnu/libcrypto.so.3',
      '/lib/x86_64-linux-gnu/libz.so.1',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  test('of a static executable names nothing', () => {
    assert.deepEqual(parseLddOutput('\tstatically linked\n'), []);
    assert.deepEqual(parseLddOutput('\tnot a dynamic executable\n'), []);
  });

  test('with a library that is not found is an error naming it', () => {
    assert.throws(() => parseLddOutput('\tlibfoo.so.2 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n'), /shared libraries not found: libfoo\.so\.2/);
  });
});

describe('the nginx image layer', () => {
  const entries = nginxLayerEntries([
    { path: '/usr/sbin/nginx', data: Buffer.from('ELF'), mode: 0o100755 },
    { path: '/lib/x86_64-linux-gnu/libc.so.6', data: Buffer.from('libc'), mode: 0o100644 },
    { path: '/lib64/ld-linux-x86-64.so.2', data: Buffer.from('ld'), mode: 0o100755 },
  ]);

  test('holds the host files at their paths, after their parent directories', () => {
    const names = entries.map((e) => e.name);
    for (const [file, parent] of [
      ['usr/sbin/nginx', 'usr/sbin'],
      ['lib/x86_64-linux-gnu/libc.so.6', 'lib/x86_64-linux-gnu'],
      ['lib64/ld-linux-x86-64.so.2', 'lib64'],
    ] as const) {
      assert.ok(names.indexOf(parent) >= 0 && names.indexOf(parent) < names.indexOf(file), `${parent} before ${file}`);
    }
    assert.equal(fileNamed(entries, 'usr/sbin/nginx')?.mode, 0o755);
    assert.equal(fileNamed(entries, 'lib/x86_64-linux-gnu/libc.so.6')?.mode, 0o644);
  });

  test('serves the welcome page on port 80 with logs on the container output', () => {
    const page = fileNamed(entries, 'usr/share/nginx/html/index.html');
    assert.ok(page?.type === 'file' && page.data.toString().includes('<h1>Welcome to nginx!</h1>'));
    const server = fileNamed(entries, 'etc/nginx/conf.d/default.conf');
    assert.ok(server?.type === 'file' && /listen +80;/.test(server.data.toString()));
    assert.deepEqual(fileNamed(entries, 'var/log/nginx/access.log'), { type: 'symlink', name: 'var/log/nginx/access.log', target: '/dev/stdout' });
    assert.deepEqual(fileNamed(entries, 'var/log/nginx/error.log'), { type: 'symlink', name: 'var/log/nginx/error.log', target: '/dev/stderr' });
    assert.match(NGINX_CONF, /include +\/etc\/nginx\/mime\.types;/);
    assert.doesNotMatch(NGINX_CONF, /daemon/, 'daemon off comes from the Cmd');
  });

  test('has the users nginx may run its workers as, and the dirs it writes to', () => {
    const passwd = fileNamed(entries, 'etc/passwd');
    assert.ok(passwd?.type === 'file');
    assert.match(passwd.data.toString(), /^root:x:0:0:/m);
    assert.match(passwd.data.toString(), /^www-data:x:33:33:/m);
    assert.match(passwd.data.toString(), /^nginx:x:101:101:/m);
    for (const d of ['var/lib/nginx', 'var/log/nginx', 'run', 'tmp']) assert.equal(fileNamed(entries, d)?.type, 'directory', d);
  });
});

describe('an nginx archive with several tags', () => {
  const spec = { ref: 'docker.io/library/nginx:latest', layers: [{ entries: [] }], config: { cmd: ['nginx'] } };

  test('names one manifest under every tag in index.json and manifest.json', () => {
    const entries = multiRefArchiveEntries(spec, NGINX_TUTORIAL_REFS);
    const index = fileNamed(entries, 'index.json');
    assert.ok(index?.type === 'file');
    const manifests = (JSON.parse(index.data.toString()) as { manifests: { digest: string; annotations: Record<string, string> }[] }).manifests;
    assert.deepEqual(
      manifests.map((m) => m.annotations['io.containerd.image.name']),
      ['docker.io/library/nginx:latest', 'docker.io/library/nginx:1.7.12', 'docker.io/library/nginx:1.9.10', 'docker.io/library/nginx:alpine'],
    );
    assert.equal(new Set(manifests.map((m) => m.digest)).size, 1);
    const docker = fileNamed(entries, 'manifest.json');
    assert.ok(docker?.type === 'file');
    assert.deepEqual((JSON.parse(docker.data.toString()) as { RepoTags: string[] }[])[0]?.RepoTags, ['nginx:latest', 'nginx:1.7.12', 'nginx:1.9.10', 'nginx:alpine']);
  });

  test('refuses a tag that is not a full reference', () => {
    assert.throws(() => multiRefArchiveEntries(spec, ['nginx']), /image reference "nginx" is not a full reference/);
  });
});

describe('buildNginxImage', () => {
  test('fails naming the Debian package when nginx is not installed', async () => {
    await assert.rejects(nginxImageSpec(undefined, { nginxPath: '/nonexistent/sbin/nginx' }), /nginx is not installed at \/nonexistent\/sbin\/nginx .*: apt-get install nginx-light/);
  });

  const skip = !existsSync(NGINX_PATH) ? `${NGINX_PATH} is missing: apt-get install nginx-light` : process.getuid?.() !== 0 ? 'chroot needs root' : false;
  test("writes an image whose root file system runs this machine's nginx (nginx -t in a chroot)", { skip }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-nginx-image-'));
    try {
      const archive = join(dir, 'nginx.tar');
      await buildNginxImage(archive);
      const layout = join(dir, 'layout');
      await mkdir(layout);
      await run('tar', ['-xf', archive, '-C', layout]);
      const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      const manifestDigest = index.manifests[0]?.digest ?? '';
      const blob = (digest: string): string => join(layout, 'blobs', digest.replace(':', '/'));
      const manifest = JSON.parse(await readFile(blob(manifestDigest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
      const config = JSON.parse(await readFile(blob(manifest.config.digest), 'utf8')) as {
        config: { Cmd: string[]; ExposedPorts: Record<string, unknown> };
      };
      assert.deepEqual(config.config.Cmd, ['nginx', '-g', 'daemon off;']);
      assert.deepEqual(Object.keys(config.config.ExposedPorts), ['80/tcp']);
      const root = join(dir, 'root');
      await mkdir(root);
      await run('tar', ['-xzf', blob(manifest.layers[0]?.digest ?? ''), '-C', root]);
      assert.equal(await readFile(join(root, 'usr/share/nginx/html/index.html'), 'utf8'), NGINX_WELCOME_PAGE);
      // No /dev is mounted in a bare chroot: plain files stand in for the log targets.
      await writeFile(join(root, 'dev', 'stdout'), '');
      await writeFile(join(root, 'dev', 'stderr'), '');
      const res = await run('chroot', [root, '/usr/sbin/nginx', '-t']);
      assert.match(res.stderr, /configuration file \/etc\/nginx\/nginx\.conf test is successful/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
