// The node's container runtime, as the agent starts it: containerd as a child process (or an existing runtime at
// --container-runtime-endpoint), the sandbox image present even with no registry in reach, the archives of
// DATA_DIR/images/ imported (air-gapped nodes, as k3s's agent/images/), and a CRI client connected to it.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startContainerd, type ContainerdProcess } from '../containerd/containerd-process.js';
import { importImageArchive } from '../containerd/images.js';
import { connectCri, type CriClient } from '../cri/index.js';
import { buildPauseImage, DEFAULT_PAUSE_REF } from '../images/builtin-images.js';
import { log } from '../cli/log.js';

export interface NodeRuntimeOptions {
  dataDir: string;
  /** An existing CRI runtime's socket (path or unix:// URL); containerd is then not started. */
  runtimeEndpoint?: string;
  sandboxImage?: string;
}

export interface NodeRuntime {
  readonly cri: CriClient;
  readonly sandboxImage: string;
  /** Closes the CRI connection and stops the containerd k8ts started; running containers go on (their shims do). */
  stop(): Promise<void>;
}

/** The archives in DATA_DIR/images/ (*.tar), imported at every start: a node that cannot pull still has them. */
export function imageArchives(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tar'))
    .sort()
    .map((f) => join(dir, f));
}

export async function startNodeRuntime(opts: NodeRuntimeOptions): Promise<NodeRuntime> {
  const sandboxImage = opts.sandboxImage ?? DEFAULT_PAUSE_REF;
  let containerd: ContainerdProcess | undefined;
  let socket: string;
  if (opts.runtimeEndpoint !== undefined && opts.runtimeEndpoint !== '') {
    socket = opts.runtimeEndpoint.replace(/^unix:\/\//, '');
  } else {
    containerd = await startContainerd({ dataDir: opts.dataDir, sandboxImage });
    socket = containerd.socketPath;
  }
  let cri: CriClient | undefined;
  try {
    cri = await connectCri(socket);
    if (containerd !== undefined) {
      for (const file of imageArchives(join(opts.dataDir, 'images'))) {
        try {
          const refs = await importImageArchive(socket, file);
          log.info('imported image archive', { component: 'agent', file, images: refs });
        } catch (e: unknown) {
          log.warn('image archive not imported', { component: 'agent', file, err: e instanceof Error ? e.message : String(e) });
        }
      }
      // Upstream's pause image comes from registry.k8s.io; with no registry in reach, k8ts builds its own from
      // busybox-static under the same name, unless the image is there already (imported or pulled).
      if ((await cri.imageStatus({ image: { image: sandboxImage } })).image === undefined) {
        const tmp = join(opts.dataDir, 'agent', 'tmp');
        mkdirSync(tmp, { recursive: true });
        const file = join(tmp, 'pause.tar');
        await buildPauseImage(file, sandboxImage);
        try {
          await importImageArchive(socket, file);
        } finally {
          rmSync(file, { force: true });
        }
        log.info('built the sandbox image', { component: 'agent', image: sandboxImage });
      }
    }
  } catch (e: unknown) {
    cri?.close();
    await containerd?.stop();
    throw e;
  }
  const client = cri;
  return {
    cri: client,
    sandboxImage,
    async stop(): Promise<void> {
      client.close();
      await containerd?.stop();
    },
  };
}
