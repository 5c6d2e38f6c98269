// The node's Lease heartbeat in kube-node-lease, after k8s.io/component-helpers/apimachinery/lease's controller as the
// kubelet runs it (pkg/kubelet/nodelease): renew every 10 s (a quarter of the 40 s duration) from the last Lease it
// wrote; on a conflict fetch the server's copy and try again (5 attempts); if that fails, get-or-create and update.
// The Lease is owned by the Node (apiVersion v1, kind Node, name, uid) so that it goes when the node goes.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../client/rest-client.js';
import { ApiError } from '../machinery/errors.js';

export const nodeLeaseNamespace = 'kube-node-lease';
export const defaultLeaseDurationSeconds = 40;
/** The lease controller's maxUpdateRetries. */
const maxUpdateRetries = 5;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * newLease: `base` (the last Lease seen, or none) renewed at `nowMs` by the node, with the Node as owner when its
 * uid is known and the Lease has no owner yet.
 */
export function renewedLease(base: Lease | undefined, nodeName: string, nodeUid: string | undefined, nowMs: number, leaseDurationSeconds = defaultLeaseDurationSeconds): Lease {
  const lease: Lease = base !== undefined
    ? { ...base, metadata: { ...base.metadata }, spec: { ...base.spec } }
    : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: nodeName, namespace: nodeLeaseNamespace }, spec: {} };
  lease.spec = { ...lease.spec, holderIdentity: nodeName, leaseDurationSeconds, renewTime: microTime(nowMs) };
  const meta = lease.metadata ?? {};
  if ((meta.ownerReferences ?? []).length === 0 && nodeUid !== undefined && nodeUid !== '') {
    meta.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }];
  }
  lease.metadata = meta;
  return lease;
}

const isCode = (e: unknown, code: number): boolean => e instanceof ApiError && e.code === code;

export class NodeLeaseController {
  private latest: Lease | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly leaseDurationSeconds = defaultLeaseDurationSeconds,
    private readonly now: () => number = Date.now,
  ) {}

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${nodeLeaseNamespace}/leases/${encodeURIComponent(this.nodeName)}`;
  }

  /** The Node's uid, for the owner reference (undefined when the node cannot be read). */
  private async nodeUid(): Promise<string | undefined> {
    try {
      const node = await this.client.request<Node>('GET', `/api/v1/nodes/${encodeURIComponent(this.nodeName)}`);
      return node.metadata?.uid;
    } catch {
      return undefined;
    }
  }

  private async uidIfNeeded(base: Lease | undefined): Promise<string | undefined> {
    return (base?.metadata?.ownerReferences ?? []).length > 0 ? undefined : this.nodeUid();
  }

  /** Gets the Lease, creating it when missing; `created` says whether it was just written (and so is fresh). */
  private async ensureLease(): Promise<{ lease: Lease; created: boolean }> {
    try {
      return { lease: await this.client.request<Lease>('GET', this.path), created: false };
    } catch (e: unknown) {
      if (!isCode(e, 404)) throw e;
    }
    const lease = renewedLease(undefined, this.nodeName, await this.nodeUid(), this.now(), this.leaseDurationSeconds);
    const created = await this.client.request<Lease>('POST', `/apis/coordination.k8s.io/v1/namespaces/${nodeLeaseNamespace}/leases`, lease);
    return { lease: created, created: true };
  }

  private async retryUpdateLease(base: Lease): Promise<void> {
    let current = base;
    let lastError: unknown;
    for (let i = 0; i < maxUpdateRetries; i++) {
      const lease = renewedLease(current, this.nodeName, await this.uidIfNeeded(current), this.now(), this.leaseDurationSeconds);
      try {
        this.latest = await this.client.request<Lease>('PUT', this.path, lease);
        return;
      } catch (e: unknown) {
        lastError = e;
        // Someone else wrote it, or it is gone: start again from the server's copy (or a new Lease).
        if (isCode(e, 409) || isCode(e, 404)) {
          const ensured = await this.ensureLease();
          if (ensured.created) {
            this.latest = ensured.lease;
            return;
          }
          current = ensured.lease;
        }
      }
    }
    throw new Error(`failed ${maxUpdateRetries} attempts to update lease: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  }

  /** One heartbeat (the controller's sync). */
  async sync(): Promise<Lease> {
    if (this.latest !== undefined) {
      try {
        await this.retryUpdateLease(this.latest);
        if (this.latest !== undefined) return this.latest;
      } catch {
        // fall back to get-or-create below
      }
    }
    const { lease, created } = await this.ensureLease();
    if (created) {
      this.latest = lease;
      return lease;
    }
    await this.retryUpdateLease(lease);
    if (this.latest === undefined) throw new Error('lease update returned nothing');
    return this.latest;
  }
}
