// The cluster objects besides nodes and pods that the plugins read, kept from informers (upstream's scheduler has
// informers for them): namespaces (labels, for namespaceSelector in pod affinity terms), and services, replication
// controllers, replica sets and stateful sets (the selectors of PodTopologySpread's system default constraints).
// Each list is rebuilt only after a change.
//
// Not watched yet:
// - Persistent volumes, claims and storage classes (VolumeBinding, VolumeZone): nothing binds or provisions volumes
//   until the volume controller arrives with the node agent, and upstream's VolumeBinding would hold every pod with
//   an unbound claim ("pod has unbound immediate PersistentVolumeClaims"). Without them those plugins skip, as they
//   do for a snapshot without claims.
import type { Namespace, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import type { SnapshotObjects } from './framework.js';

type Kind = 'namespaces' | 'services' | 'replicationControllers' | 'replicaSets' | 'statefulSets';

const paths: Readonly<Record<Kind, string>> = {
  namespaces: '/api/v1/namespaces',
  services: '/api/v1/services',
  replicationControllers: '/api/v1/replicationcontrollers',
  replicaSets: '/apis/apps/v1/replicasets',
  statefulSets: '/apis/apps/v1/statefulsets',
};

/** The kinds whose changes may make an unschedulable pod fit (a namespace's labels, for affinity terms). */
const requeueKinds: ReadonlySet<Kind> = new Set(['namespaces']);

export class SnapshotObjectsCache {
  private readonly informers: ReadonlyMap<Kind, Informer>;
  private readonly dirty = new Set<Kind>(Object.keys(paths) as Kind[]);
  private objects: SnapshotObjects = {};

  /** `onChange` is called when an object that may make a waiting pod fit is added or changes. */
  constructor(client: RestClient, onChange: () => void) {
    const m = new Map<Kind, Informer>();
    for (const kind of Object.keys(paths) as Kind[]) {
      const inf = new Informer(client, paths[kind]);
      const changed = (): void => {
        this.dirty.add(kind);
        if (requeueKinds.has(kind)) onChange();
      };
      inf.addHandlers({ add: changed, update: changed, delete: () => this.dirty.add(kind) });
      m.set(kind, inf);
    }
    this.informers = m;
  }

  start(): void {
    for (const inf of this.informers.values()) inf.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }

  /** The objects as of now (the same object while nothing changed). */
  current(): SnapshotObjects {
    if (this.dirty.size === 0) return this.objects;
    const list = <T>(kind: Kind): T[] => (this.informers.get(kind)?.list() ?? []) as unknown as T[];
    const next: { -readonly [K in keyof SnapshotObjects]: SnapshotObjects[K] } = { ...this.objects };
    for (const kind of this.dirty) {
      switch (kind) {
        case 'namespaces':
          next.namespaceLabels = new Map(list<Namespace>(kind).map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
          break;
        case 'services':
          next.services = list<Service>(kind);
          break;
        case 'replicationControllers':
          next.replicationControllers = list<ReplicationController>(kind);
          break;
        case 'replicaSets':
          next.replicaSets = list<ReplicaSet>(kind);
          break;
        case 'statefulSets':
          next.statefulSets = list<StatefulSet>(kind);
          break;
      }
    }
    this.dirty.clear();
    this.objects = next;
    return next;
  }
}

