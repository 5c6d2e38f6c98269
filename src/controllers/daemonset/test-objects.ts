// Small builders of DaemonSets, nodes and daemon pods for this folder's unit tests.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { controllerRevisionHashLabel } from './daemon-set-util.js';

export function testDaemonSet(overrides: { spec?: Partial<NonNullable<DaemonSet['spec']>>; templateSpec?: Partial<NonNullable<NonNullable<DaemonSet['spec']>['template']['spec']>> } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ds', namespace: 'default', uid: 'ds-uid', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...overrides.templateSpec } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...overrides.spec,
    },
  };
}

export function testNode(name: string, opts: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } }, spec: { taints: opts.taints ?? [] } };
}

/** A daemon pod bound to `node`, Running and Ready unless told otherwise. */
export function testDaemonPod(name: string, node: string, opts: { hash?: string; ready?: boolean; phase?: string; created?: string; deleting?: boolean } = {}): Pod {
  const ready = opts.ready ?? true;
  const pod: Pod = {
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'd', [controllerRevisionHashLabel]: opts.hash ?? 'new' },
      creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z',
      ...(opts.deleting === true ? { deletionTimestamp: '2024-01-01T00:01:00Z' } : {}),
    },
    spec: { nodeName: node, containers: [{ name: 'c' }] },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  };
  return pod;
}
