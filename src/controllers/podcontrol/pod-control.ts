// RealPodControl of upstream's controller_utils.go: creates pods from a controller's template (generateName
// `<owner>-`, the template's labels, annotations and finalizers, a controller ownerReference), deletes and patches
// pods, and records the SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete events on the owner.
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import { isDNS1123Subdomain } from '../../machinery/label-selector.js';
import { ApiError } from '../../machinery/errors.js';
import type { EventRecorder, InvolvedObject } from '../events/event-recorder.js';

export const SuccessfulCreatePodReason = 'SuccessfulCreate';
export const FailedCreatePodReason = 'FailedCreate';
export const SuccessfulDeletePodReason = 'SuccessfulDelete';
export const FailedDeletePodReason = 'FailedDelete';

/** The owning object: what events are about and what ownerReferences point to. */
export interface ControllerObject extends InvolvedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string; deletionTimestamp?: string };
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: ControllerObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** The generateName of a controller's pods: `<name>-`, or the bare name when the dash would make it invalid. */
export function getPodsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  // ValidatePodName with prefix=true masks the trailing dash before checking the DNS-1123 subdomain.
  return isDNS1123Subdomain(`${controllerName}a`).length === 0 ? prefix : controllerName;
}

/** GetPodFromTemplate: a pod to create from the template, owned by `controllerRef`. */
export function getPodFromTemplate(template: PodTemplateSpec, owner: ControllerObject, controllerRef?: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const metadata: NonNullable<Pod['metadata']> = { generateName: getPodsPrefix(owner.metadata.name) };
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata };
  const m = metadata as { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; ownerReferences?: OwnerReference[] };
  m.labels = { ...(meta.labels ?? {}) };
  m.annotations = { ...(meta.annotations ?? {}) };
  if (meta.finalizers !== undefined && meta.finalizers.length > 0) m.finalizers = [...meta.finalizers];
  if (controllerRef !== undefined) m.ownerReferences = [controllerRef];
  if (template.spec !== undefined) (pod as { spec?: Pod['spec'] }).spec = structuredClone(template.spec);
  return pod;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether an API error carries the NamespaceTerminating cause. */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export class PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  /** CreatePods: one pod from the template; throws the API's error after recording FailedCreate. */
  async createPods(namespace: string, template: PodTemplateSpec, owner: ControllerObject, controllerRef: OwnerReference): Promise<Pod> {
    const pod = getPodFromTemplate(template, owner, controllerRef);
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    let created: Pod;
    try {
      created = await this.client.request<Pod>('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, pod);
    } catch (e: unknown) {
      // Only report when the namespace is not going away.
      if (!isNamespaceTerminating(e)) this.recorder.event(owner, 'Warning', FailedCreatePodReason, 'Error creating: %v', errorMessage(e));
      throw e;
    }
    this.recorder.event(owner, 'Normal', SuccessfulCreatePodReason, 'Created pod: %v', created.metadata?.name ?? '');
    return created;
  }

  /** DeletePod: a 404 is thrown as it is (no event); other failures record FailedDelete. */
  async deletePod(namespace: string, name: string, owner: ControllerObject): Promise<void> {
    try {
      await this.client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) throw e;
      this.recorder.event(owner, 'Warning', FailedDeletePodReason, 'Error deleting: %v', errorMessage(e));
      throw new Error(`unable to delete pods: ${errorMessage(e)}`, { cause: e });
    }
    this.recorder.event(owner, 'Normal', SuccessfulDeletePodReason, 'Deleted pod: %v', name);
  }

  /** A strategic merge patch of a pod. */
  async patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<Pod> {
    return this.client.request<Pod>('PATCH', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, patch, 'application/strategic-merge-patch+json');
  }
}
