// `npm run bench:cluster`: seconds from `k8ts cluster create NAME --nodes 3` to every node Ready (the command returns
// then), target at most 10 s (kind 14 s, k3d 12.6 s, minikube 21 s); then `k8ts cluster delete NAME`, timed too.
// Each run uses a fresh data dir and a temporary KUBECONFIG; the nodes are network namespaces with no route off the
// machine. Options: --runs N (default 3), --nodes N (default 3), --flannel-backend B. K8TS_BIN runs another build.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

function findK8ts(): string {
  const fromEnv = process.env['K8TS_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  let dir = resolve(new URL('.', import.meta.url).pathname);
  while (!existsSync(join(dir, 'bin', 'k8ts'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no bin/k8ts above the bench');
    dir = up;
  }
  return join(dir, 'bin', 'k8ts');
}

interface Timed {
  code: number;
  seconds: number;
  stdout: string;
  stderr: string;
}

function timed(args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const start = process.hrtime.bigint();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      process.stderr.write(c);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout, stderr }));
  });
}

/** The seconds a progress line of create reports, e.g. " ✓ API server up at ... (1.3s)". */
export function progressSeconds(stdout: string, marker: RegExp): number | undefined {
  for (const line of stdout.split('\n')) {
    if (!marker.test(line)) continue;
    const m = /\((\d+(?:\.\d+)?)s\)\s*$/.exec(line);
    if (m?.[1] !== undefined) return Number(m[1]);
  }
  return undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, nodes: { type: 'string', default: '3' }, 'flannel-backend': { type: 'string', default: 'vxlan' } } });
  const runs = Number(values.runs);
  const k8ts = findK8ts();
  const rows: string[][] = [];
  for (let i = 1; i <= runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-cluster-'));
    const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') };
    const name = `bench${process.pid}-${i}`;
    try {
      const create = await timed([k8ts, 'cluster', 'create', name, '--nodes', values.nodes, '--flannel-backend', values['flannel-backend'], '--data-dir', dir], env);
      if (create.code !== 0) process.stderr.write(`run ${i}: create failed:\n${create.stderr}\n`);
      const apiUp = progressSeconds(create.stdout, /API server up/);
      const firstReady = progressSeconds(create.stdout, /Nodes Ready: [1-9]/);
      const del = await timed([k8ts, 'cluster', 'delete', name, '--data-dir', dir], env);
      if (del.code !== 0) process.stderr.write(`run ${i}: delete failed:\n${del.stderr}\n`);
      rows.push([String(i), create.code === 0 ? create.seconds.toFixed(1) : 'failed', apiUp?.toFixed(1) ?? '-', firstReady?.toFixed(1) ?? '-', del.code === 0 ? del.seconds.toFixed(1) : 'failed']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`\nk8ts cluster create NAME --nodes ${values.nodes} (--flannel-backend ${values['flannel-backend']}), target <= 10 s until every node is Ready\n\n`);
  process.stdout.write('| run | create until all Ready (s) | API server up (s) | first node Ready (s) | delete (s) |\n| --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:cluster: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
