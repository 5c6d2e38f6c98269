// EnsureImageExists (pkg/kubelet/images/image_manager.go): honours imagePullPolicy, records Pulling/Pulled/Failed/
// BackOff/ErrImageNeverPull events with upstream's words, and backs off failed pulls per pod and image
// (ErrImagePull, then ImagePullBackOff until the back-off has passed). A pull uses the pod's imagePullSecrets as
// upstream's PullImage does (kuberuntime_image.go): each credential that matches the image (pull-secrets-keyring.ts)
// in turn until one pulls, anonymously when none matches; a secret that cannot be read is a warning event
// (getPullSecretsForPod) and the pull goes on without it.
import type { Container, LocalObjectReference, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { AuthConfig, ImageService, PodSandboxConfig, PullImageRequest } from '../cri/index.js';
import { Backoff, formatGoDuration } from './crash-loop-backoff.js';
import { pullCredentials } from './pull-secrets-keyring.js';

export type PodEventType = 'Normal' | 'Warning';
/** Records an event about a pod, or about one of its containers when named (the kubelet's recorder, component "kubelet"). */
export type PodEventSink = (pod: Pod, type: PodEventType, reason: string, message: string, container?: string) => void;

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

/** Reads a Secret; undefined when it does not exist (the kubelet's cached lookup). */
export type SecretLookup = (namespace: string, name: string) => Promise<Secret | undefined>;

/** utilerrors.NewAggregate's text: the one error, or all of them in brackets. */
function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] ?? '') : `[${messages.join(', ')}]`;
}

export class ImagePuller {
  constructor(
    private readonly images: ImageService,
    private readonly record: PodEventSink,
    private readonly backoff: Backoff = new Backoff(),
    private readonly clock: () => number = Date.now,
    /** Where imagePullSecrets are read; without it they are not used. */
    private readonly secret?: SecretLookup,
  ) {}

  /** getPullSecretsForPod: the pod's pull secrets that exist; a warning event names those that could not be read. */
  private async pullSecrets(pod: Pod): Promise<Secret[]> {
    const lookup = this.secret;
    if (lookup === undefined) return [];
    const namespace = pod.metadata?.namespace ?? '';
    const found: Secret[] = [];
    const failed: string[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? ([] as LocalObjectReference[])) {
      const name = ref.name ?? '';
      if (name === '') continue;
      let secret: Secret | undefined;
      try {
        secret = await lookup(namespace, name);
      } catch {
        secret = undefined;
      }
      if (secret === undefined) failed.push(name);
      else found.push(secret);
    }
    if (failed.length > 0) {
      this.record(pod, 'Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${failed.join(', ')}); attempting to pull the image may not succeed.`);
    }
    return found;
  }

  /** PullImage with each matching credential in turn, or without credentials when none matches. */
  private async pull(image: string, secrets: readonly Secret[], sandboxConfig: PodSandboxConfig | undefined): Promise<string> {
    const base: PullImageRequest = sandboxConfig === undefined ? { image: { image } } : { image: { image }, sandboxConfig };
    const creds = pullCredentials(secrets, image);
    if (creds.length === 0) return (await this.images.pullImage(base)).imageRef;
    const errors: string[] = [];
    for (const c of creds) {
      const auth: AuthConfig = { username: c.username, password: c.password };
      try {
        return (await this.images.pullImage({ ...base, auth })).imageRef;
      } catch (e: unknown) {
        errors.push(errText(e));
      }
    }
    throw new Error(aggregate(errors));
  }

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
      this.record(pod, 'Warning', 'InspectFailed', message, container.name);
      return { ok: false, reason: 'ImageInspectError', message };
    }
    const present = imageRef !== '';
    if (!shouldPullImage(container.imagePullPolicy, present)) {
      if (present) {
        this.record(pod, 'Normal', 'Pulled', `Container image "${shown}" already present on machine`, container.name);
        return { ok: true, imageRef };
      }
      const message = `Container image "${shown}" is not present with pull policy of Never`;
      this.record(pod, 'Warning', 'ErrImageNeverPull', message, container.name);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    const key = `${pod.metadata?.uid ?? ''}_${shown}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image "${shown}"`;
      this.record(pod, 'Normal', 'BackOff', message, container.name);
      return { ok: false, reason: 'ImagePullBackOff', message };
    }
    const secrets = await this.pullSecrets(pod);
    this.record(pod, 'Normal', 'Pulling', `Pulling image "${shown}"`, container.name);
    const start = this.clock();
    try {
      imageRef = await this.pull(image, secrets, sandboxConfig);
    } catch (e: unknown) {
      const message = errText(e);
      this.record(pod, 'Warning', 'Failed', `Failed to pull image "${shown}": ${message}`, container.name);
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
    this.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${shown}" in ${took} (${took} including waiting). Image size: ${size} bytes.`, container.name);
    this.backoff.gc();
    return { ok: true, imageRef };
  }
}
