// EnsureImageExists (pkg/kubelet/images/image_manager.go): honours imagePullPolicy, records Pulling/Pulled/Failed/
// BackOff/ErrImageNeverPull events with upstream's words, and backs off failed pulls per pod and image
// (ErrImagePull, then ImagePullBackOff until the back-off has passed).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ImageService, PodSandboxConfig } from '../cri/index.js';
import { Backoff, formatGoDuration } from './crash-loop-backoff.js';

export type PodEventType = 'Normal' | 'Warning';
/** Records an event about a pod (the kubelet's recorder, component "kubelet"). */
export type PodEventSink = (pod: Pod, type: PodEventType, reason: string, message: string) => void;

export type EnsureImageResult = { ok: true; imageRef: string } | { ok: false; reason: string; message: string };

/** applyDefaultImageTag: an image without tag or digest gets :latest. */
export function applyDefaultImageTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

/** shouldPullImage. */
export function shouldPullImage(policy: string | undefined, present: boolean): boolean {
  if (policy === 'Never') return false;
  return policy === 'Always' || !present;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class ImagePuller {
  constructor(
    private readonly images: ImageService,
    private readonly record: PodEventSink,
    private readonly backoff: Backoff = new Backoff(),
    private readonly clock: () => number = Date.now,
  ) {}

  /** Forgets a pod's pull back-offs (the pod is gone). */
  forgetPod(uid: string): void {
    this.backoff.resetPrefix(`${uid}_`);
  }

  async ensureImageExists(pod: Pod, container: Container, sandboxConfig?: PodSandboxConfig): Promise<EnsureImageResult> {
    const shown = container.image ?? '';
    const image = applyDefaultImageTag(shown);
    let imageRef = '';
    try {
      const st = await this.images.imageStatus({ image: { image } });
      imageRef = st.image?.id ?? '';
    } catch (e: unknown) {
      const message = `Failed to inspect image "${shown}": ${errText(e)}`;
      this.record(pod, 'Warning', 'InspectFailed', message);
      return { ok: false, reason: 'ImageInspectError', message };
    }
    const present = imageRef !== '';
    if (!shouldPullImage(container.imagePullPolicy, present)) {
      if (present) {
        this.record(pod, 'Normal', 'Pulled', `Container image "${shown}" already present on machine`);
        return { ok: true, imageRef };
      }
      const message = `Container image "${shown}" is not present with pull policy of Never`;
      this.record(pod, 'Warning', 'ErrImageNeverPull', message);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    const key = `${pod.metadata?.uid ?? ''}_${shown}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image "${shown}"`;
      this.record(pod, 'Normal', 'BackOff', message);
      return { ok: false, reason: 'ImagePullBackOff', message };
    }
    this.record(pod, 'Normal', 'Pulling', `Pulling image "${shown}"`);
    const start = this.clock();
    try {
      const res = await this.images.pullImage(sandboxConfig === undefined ? { image: { image } } : { image: { image }, sandboxConfig });
      imageRef = res.imageRef;
    } catch (e: unknown) {
      const message = errText(e);
      this.record(pod, 'Warning', 'Failed', `Failed to pull image "${shown}": ${message}`);
      this.backoff.next(key, this.clock());
      return { ok: false, reason: 'ErrImagePull', message };
    }
    const took = formatGoDuration(this.clock() - start);
    let size = '0';
    try {
      size = (await this.images.imageStatus({ image: { image } })).image?.size ?? '0';
    } catch {
      // The size only decorates the event.
    }
    this.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${shown}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
    this.backoff.gc();
    return { ok: true, imageRef };
  }
}
