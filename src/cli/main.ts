// The k8ts command line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir, runServer, serverUsage } from './server-command.js';
import { versionInfo } from '../apiserver/version.js';

const usage = `Usage: k8ts COMMAND [flags]

Kubernetes, written in TypeScript: a whole cluster in one program.

Commands:
  server        run the control plane (API server on embedded SQLite or etcd)
  agent         join this machine to a server as a node (--server URL --token TOKEN)
  token         print the server's join token (token create)
  images        import image archives into the node's containerd, or list its images
  cluster       create, list and delete multi-node clusters of network-namespace nodes on this machine
  kubeconfig    print the admin kubeconfig of a server's data dir (--data-dir)
  version       print the version

Run 'k8ts COMMAND --help' for a command's flags.
`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'server':
      await runServer(rest);
      return;
    case 'agent': {
      const { runAgent } = await import('./agent-command.js');
      await runAgent(rest);
      return;
    }
    case 'token': {
      const { runToken } = await import('./token-command.js');
      await runToken(rest);
      return;
    }
    case 'cluster': {
      const { runCluster } = await import('./cluster-command.js');
      await runCluster(rest);
      return;
    }
    case 'images': {
      const { runImages } = await import('./images-command.js');
      await runImages(rest);
      return;
    }
    case 'kubeconfig': {
      const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string', short: 'd' } }, strict: true });
      const path = join(values['data-dir'] ?? defaultDataDir(), 'kubeconfig.yaml');
      try {
        process.stdout.write(readFileSync(path, 'utf8'));
      } catch {
        throw new Error(`no kubeconfig at ${path}: start 'k8ts server' with this --data-dir first`);
      }
      return;
    }
    case 'version':
    case '--version': {
      const v = versionInfo();
      process.stdout.write(`k8ts version ${v['gitVersion'] ?? ''}\n`);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      if (cmd === undefined) process.exitCode = 1;
      return;
    default:
      process.stderr.write(`k8ts: unknown command "${cmd}"\n\n${usage}`);
      process.exitCode = 1;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`k8ts: ${msg}\n`);
  if (msg.startsWith('Unknown option') || msg.includes('unexpected argument')) process.stderr.write(`\n${serverUsage}`);
  process.exit(1);
});
