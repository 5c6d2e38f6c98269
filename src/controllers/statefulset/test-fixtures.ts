// Builders of StatefulSets, pods and revisions for the unit tests of this folder.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newControllerRevision } from './controller-history.js';
import { getPatch, newStatefulSetPod, setControllerRef, setPodRevision } from './stateful-set-utils.js';

export function makeSet(name: string, replicas: number, extra: Partial<NonNullable<StatefulSet['spec']>> = {}, image = 'nginx:1'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      ...extra,
    },
  };
}

export function makeRevision(set: StatefulSet, revision: number): ControllerRevision {
  return newControllerRevision(set.metadata?.name ?? '', 'default', setControllerRef(set), set.spec?.template.metadata?.labels ?? {}, getPatch(set), revision, undefined);
}

/** A member pod of `set` at `revision`, in the given phase, Ready when Running unless told otherwise. */
export function makePod(set: StatefulSet, ordinal: number, revision: string, phase = 'Running', ready = phase === 'Running'): Pod {
  const pod = newStatefulSetPod(set, ordinal);
  setPodRevision(pod, revision);
  return {
    ...pod,
    metadata: { ...(pod.metadata ?? {}), uid: `pod-uid-${ordinal}` },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2020-01-01T00:00:00Z' }] },
  };
}
