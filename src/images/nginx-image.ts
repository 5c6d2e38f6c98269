// An nginx image built offline from this machine's Debian nginx (nginx-light or nginx): /usr/sbin/nginx with every
// shared library `ldd` names and the dynamic loader, a configuration like the Docker Official Image's (the
// "Welcome to nginx!" page on port 80, access and error logs to the container's stdout and stderr), root,
// www-data and nginx users, Cmd ["nginx", "-g", "daemon off;"]. For tests and for the tutorials' nginx pods on
// air-gapped nodes; one archive can carry the tutorials' tags (nginx:1.7.12, nginx:1.9.10, nginx:alpine) too.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import {
  ANNOTATION_CONTAINERD_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  buildOciImageLayout,
  dockerRepoTag,
  ociArchiveEntries,
  type ImageSpec,
} from './oci-archive.js';
import { encodeTar, type TarEntry } from './tar-writer.js';

const run = promisify(execFile);

export const NGINX_PATH = '/usr/sbin/nginx';
export const DEFAULT_NGINX_REF = 'docker.io/library/nginx:latest';
/** The tags the Kubernetes tutorials name, served by the same content. */
export const NGINX_TUTORIAL_REFS: readonly string[] = [
  'docker.io/library/nginx:1.7.12',
  'docker.io/library/nginx:1.9.10',
  'docker.io/library/nginx:alpine',
];
const INSTALL_HINT = 'apt-get install nginx-light';

/** The page the nginx image serves at / (the stock index.html of nginx 1.22, as the official image ships it). */
export const NGINX_WELCOME_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

export const NGINX_ERROR_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
`;

/**
 * /etc/nginx/nginx.conf, as the official image's. `daemon off;` is not in it: the image's Cmd passes it with -g (a
 * second `daemon` directive would be refused as a duplicate), so `nginx -t` and reloads work as usual.
 */
export const NGINX_CONF = `user  www-data;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;

    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
`;

/** /etc/nginx/conf.d/default.conf: port 80 (IPv4; a pod network may have no IPv6), the html root. */
export const NGINX_DEFAULT_SERVER = `server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

/** A short /etc/nginx/mime.types: the types a static site commonly serves. */
export const NGINX_MIME_TYPES = `types {
    text/html                                        html htm shtml;
    text/css                                         css;
    text/xml                                         xml;
    text/plain                                       txt;
    image/gif                                        gif;
    image/jpeg                                       jpeg jpg;
    image/png                                        png;
    image/svg+xml                                    svg svgz;
    image/x-icon                                     ico;
    image/webp                                       webp;
    application/javascript                           js;
    application/json                                 json;
    application/pdf                                  pdf;
    application/wasm                                 wasm;
    application/zip                                  zip;
    application/octet-stream                         bin exe dll iso img;
    font/woff                                        woff;
    font/woff2                                       woff2;
}
`;

export const NGINX_PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'nginx:x:101:101:nginx user:/nonexistent:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  '',
].join('\n');

export const NGINX_GROUP = ['root:x:0:', 'www-data:x:33:', 'nginx:x:101:', 'nogroup:x:65534:', ''].join('\n');

/**
 * The absolute paths of the shared objects in `ldd` output: each `name => /path (0x…)` and the loader's
 * `/path (0x…)`; the kernel's vDSO (no file) is left out. Throws naming the libraries ldd could not find.
 */
export function parseLddOutput(text: string): string[] {
  const paths: string[] = [];
  const missing: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || /statically linked|not a dynamic executable/.test(line)) continue;
    const arrow = /^(\S+)\s+=>\s+(.*?)\s*(\(0x[0-9a-f]+\))?$/.exec(line);
    if (arrow) {
      const target = arrow[2] ?? '';
      if (target === 'not found') missing.push(arrow[1] ?? '');
      else if (target.startsWith('/')) paths.push(target);
      continue;
    }
    const direct = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (direct?.[1] !== undefined) paths.push(direct[1]);
  }
  if (missing.length > 0) throw new Error(`shared libraries not found: ${missing.join(', ')}`);
  return [...new Set(paths)];
}

/** The shared libraries and loader a dynamically linked executable needs, as this machine's `ldd` lists them. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  let out: string;
  try {
    out = (await run('ldd', [binary])).stdout;
  } catch (e: unknown) {
    // ldd exits 1 for a static executable ("not a dynamic executable").
    const stdout = typeof e === 'object' && e !== null && 'stdout' in e ? String(e.stdout) : '';
    const stderr = typeof e === 'object' && e !== null && 'stderr' in e ? String(e.stderr) : '';
    if (/not a dynamic executable/.test(stdout + stderr)) return [];
    throw new Error(`ldd ${binary} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseLddOutput(out);
}

/** A file of the host to copy into the image at the same path. */
export interface HostFile {
  path: string;
  data: Buffer;
  mode: number;
}

const dirEntry = (name: string, mode = 0o755): TarEntry => ({ type: 'directory', name, mode });
const textEntry = (name: string, content: string, mode = 0o644): TarEntry => ({ type: 'file', name, data: Buffer.from(content), mode });

/** The image's single layer: the host files at their paths (with their parent directories), configs and dirs. */
export function nginxLayerEntries(hostFiles: readonly HostFile[]): TarEntry[] {
  const dirs = new Map<string, number>([
    ['etc', 0o755],
    ['etc/nginx', 0o755],
    ['etc/nginx/conf.d', 0o755],
    ['usr', 0o755],
    ['usr/sbin', 0o755],
    ['usr/share', 0o755],
    ['usr/share/nginx', 0o755],
    ['usr/share/nginx/html', 0o755],
    ['var', 0o755],
    ['var/log', 0o755],
    ['var/log/nginx', 0o755],
    ['var/lib', 0o755],
    ['var/lib/nginx', 0o755],
    ['var/lock', 0o755],
    ['var/www', 0o755],
    ['run', 0o755],
    ['tmp', 0o1777],
    ['root', 0o700],
    ['dev', 0o755],
    ['proc', 0o555],
    ['sys', 0o555],
  ]);
  const files: TarEntry[] = [];
  for (const f of hostFiles) {
    const rel = f.path.replace(/^\/+/, '');
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) dirs.set(d, 0o755);
    }
    files.push({ type: 'file', name: rel, data: f.data, mode: f.mode & 0o7777 });
  }
  return [
    ...[...dirs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, mode]) => dirEntry(name, mode)),
    ...files,
    textEntry('etc/passwd', NGINX_PASSWD),
    textEntry('etc/group', NGINX_GROUP),
    textEntry('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n'),
    textEntry('etc/nginx/nginx.conf', NGINX_CONF),
    textEntry('etc/nginx/mime.types', NGINX_MIME_TYPES),
    textEntry('etc/nginx/conf.d/default.conf', NGINX_DEFAULT_SERVER),
    textEntry('usr/share/nginx/html/index.html', NGINX_WELCOME_PAGE),
    textEntry('usr/share/nginx/html/50x.html', NGINX_ERROR_PAGE),
    // As the official image: the logs go to the container's output, where the kubelet collects them.
    { type: 'symlink', name: 'var/log/nginx/access.log', target: '/dev/stdout' },
    { type: 'symlink', name: 'var/log/nginx/error.log', target: '/dev/stderr' },
  ];
}

async function readHostFile(path: string): Promise<HostFile> {
  const [data, st] = await Promise.all([readFile(path), stat(path)]);
  return { path, data, mode: st.mode };
}

export interface NginxImageOptions {
  /** Default /usr/sbin/nginx. */
  nginxPath?: string;
}

/** The nginx image's spec, read from this machine's nginx; fails naming the Debian package when nginx is absent. */
export async function nginxImageSpec(ref: string = DEFAULT_NGINX_REF, opts: NginxImageOptions = {}): Promise<ImageSpec> {
  const nginxPath = opts.nginxPath ?? NGINX_PATH;
  let nginx: HostFile;
  try {
    nginx = await readHostFile(nginxPath);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`nginx is not installed at ${nginxPath} (${reason}): ${INSTALL_HINT}`);
  }
  const libs = await sharedLibraries(nginxPath);
  const hostFiles = [{ ...nginx, path: NGINX_PATH }, ...(await Promise.all(libs.map(readHostFile)))];
  return {
    ref,
    layers: [{ entries: nginxLayerEntries(hostFiles), comment: `k8ts: nginx from this machine's ${nginxPath} (Debian nginx-light)` }],
    config: {
      cmd: ['nginx', '-g', 'daemon off;'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      exposedPorts: ['80/tcp'],
      stopSignal: 'SIGQUIT',
    },
  };
}

/** The archive's entries with every ref in index.json (one descriptor each, the same manifest) and manifest.json. */
export function multiRefArchiveEntries(image: ImageSpec, refs: readonly string[]): TarEntry[] {
  const all = [image.ref, ...refs.filter((r) => r !== image.ref)];
  for (const r of all) buildOciImageLayout({ ...image, layers: [], ref: r }); // validates each reference
  const layout = buildOciImageLayout(image);
  const manifests = all.map((r) => ({
    ...layout.manifestDescriptor,
    annotations: { [ANNOTATION_CONTAINERD_IMAGE_NAME]: r, [ANNOTATION_REF_NAME]: r },
  }));
  const index = { ...layout.index, manifests };
  return ociArchiveEntries(layout).map((e): TarEntry => {
    if (e.type !== 'file') return e;
    if (e.name === 'index.json') return { ...e, data: Buffer.from(JSON.stringify(index)) };
    if (e.name === 'manifest.json') {
      const docker = JSON.parse(e.data.toString('utf8')) as { RepoTags: string[] }[];
      const repoTags = all.map((r) => {
        const { repo, tag } = dockerRepoTag(r);
        return `${repo}:${tag}`;
      });
      return { ...e, data: Buffer.from(JSON.stringify(docker.map((m) => ({ ...m, RepoTags: repoTags })))) };
    }
    return e;
  });
}

/**
 * Writes the nginx image archive (importable with `ctr -n k8s.io images import` / `k8ts images import`), named
 * `ref` and each of `opts.refs` (e.g. NGINX_TUTORIAL_REFS), all the same image.
 */
export async function buildNginxImage(
  file: string,
  ref: string = DEFAULT_NGINX_REF,
  opts: NginxImageOptions & { refs?: readonly string[] } = {},
): Promise<void> {
  const spec = await nginxImageSpec(ref, opts);
  await pipeline(encodeTar(multiRefArchiveEntries(spec, opts.refs ?? [])), createWriteStream(file));
}
