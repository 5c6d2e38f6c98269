// `k8ts images import FILE...` and `k8ts images list`: the images of the node's containerd (its k8s.io namespace,
// the one CRI uses), for air-gapped nodes, as `k3s ctr images import` is used.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { containerdPaths } from '../containerd/containerd-config.js';
import { importImageArchive, listImages, type ImageRecord } from '../containerd/images.js';
import { defaultDataDir } from './server-command.js';

export const imagesUsage = `Usage: k8ts images import FILE.tar [FILE.tar ...] [--data-dir DIR]
       k8ts images list [--data-dir DIR]

Imports image archives (docker-archive, as 'docker save' writes, or an OCI image layout archive) into the node's
containerd, or lists the images it has. The node agent of 'k8ts server' (or 'k8ts agent') must be running.
`;

/** crictl's size column: decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '')}${units[u]}`;
}

export function formatImageTable(images: readonly ImageRecord[]): string {
  const rows = [['IMAGE', 'DIGEST', 'SIZE'], ...[...images].sort((a, b) => a.ref.localeCompare(b.ref)).map((i) => [i.ref, i.digest.replace(/^sha256:/, '').slice(0, 13), humanSize(i.size)])];
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return `${rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd((widths[c] ?? 0) + 3) : cell)).join('')).join('\n')}\n`;
}

export async function runImages(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string', short: 'd' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  const [sub, ...files] = positionals;
  if (values.help === true || sub === undefined) {
    process.stdout.write(imagesUsage);
    if (values.help !== true) process.exitCode = 1;
    return;
  }
  const socket = containerdPaths(values['data-dir'] ?? defaultDataDir()).socket;
  if (!existsSync(socket)) throw new Error(`containerd is not running at ${socket}: start 'k8ts server' (without --disable-agent) with this --data-dir first`);
  switch (sub) {
    case 'import': {
      if (files.length === 0) throw new Error(`images import needs at least one archive\n\n${imagesUsage}`);
      for (const file of files) {
        if (!existsSync(file)) throw new Error(`no such file: ${file}`);
        for (const ref of await importImageArchive(socket, file)) process.stdout.write(`imported ${ref}\n`);
      }
      return;
    }
    case 'list':
    case 'ls':
      // The sha256:… references CRI adds for every image are its IDs, not names: left out, as crictl does.
      process.stdout.write(formatImageTable((await listImages(socket)).filter((i) => !i.ref.startsWith('sha256:'))));
      return;
    default:
      throw new Error(`unknown images command "${sub}"\n\n${imagesUsage}`);
  }
}
