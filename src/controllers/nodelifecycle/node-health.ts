// tryUpdateNodeHealth of the node lifecycle controller as a pure function: when did we last hear from the node (a new
// Ready heartbeat or a renewed Lease, stamped with our own clock to avoid skew), and, once that is longer ago than the
// grace period, the node with every kubelet condition set to Unknown.
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { metaTime } from './node-taints.js';

/** What the controller remembers about a node between passes (nodeHealthData). */
export interface NodeHealthData {
  /** Local time of the last sign of life. */
  probeTimestampMs: number;
  readyTransitionTimestampMs: number;
  status: NodeStatus | undefined;
  /** The Lease's renewTime when we last saw it renewed. */
  leaseRenewTime: string | undefined;
}

export interface HealthGracePeriods {
  /** --node-monitor-grace-period */
  monitorGraceMs: number;
  /** --node-startup-grace-period, for nodes that never posted a Ready condition. */
  startupGraceMs: number;
}

export interface NodeHealthAssessment {
  /** What to remember (before a status update is written; see `afterStatusUpdate`). */
  health: NodeHealthData;
  gracePeriodMs: number;
  /** The Ready condition as the node had it (a made-up Unknown one when it never posted one). */
  observedReady: NodeCondition;
  /** The Ready condition after this assessment. */
  currentReady: NodeCondition | undefined;
  /** The node with its conditions set to Unknown, to write through nodes/status; undefined when nothing changes. */
  statusUpdate: Node | undefined;
}

/** The node condition types the controller sets to Unknown (NetworkUnavailable is left to the control plane). */
export const monitoredConditionTypes: readonly string[] = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function nodeCondition(status: NodeStatus | undefined, type: string): NodeCondition | undefined {
  return (status?.conditions ?? []).find((c) => c.type === type);
}

function timeMs(t: string | undefined): number {
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

function sameCondition(a: NodeCondition | undefined, b: NodeCondition | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.type === b.type &&
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '') &&
    (a.lastHeartbeatTime ?? '') === (b.lastHeartbeatTime ?? '') &&
    (a.lastTransitionTime ?? '') === (b.lastTransitionTime ?? '')
  );
}

export function assessNodeHealth(node: Node, saved: NodeHealthData | undefined, lease: Lease | undefined, nowMs: number, grace: HealthGracePeriods): NodeHealthAssessment {
  const creation = node.metadata?.creationTimestamp;
  const creationMs = timeMs(creation);
  const currentReadyBefore = nodeCondition(node.status, 'Ready');
  let health = saved;
  let gracePeriodMs: number;
  let observedReady: NodeCondition;
  if (currentReadyBefore === undefined) {
    // The kubelet (or we) never posted a Ready condition: pretend an Unknown one as old as the node.
    observedReady = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: creation, lastTransitionTime: creation };
    gracePeriodMs = grace.startupGraceMs;
    health =
      health !== undefined
        ? { ...health, status: node.status }
        : { status: node.status, probeTimestampMs: creationMs, readyTransitionTimestampMs: creationMs, leaseRenewTime: undefined };
  } else {
    observedReady = { ...currentReadyBefore };
    gracePeriodMs = grace.monitorGraceMs;
  }

  const savedCondition = health === undefined ? undefined : nodeCondition(health.status, 'Ready');
  const savedLeaseRenewTime = saved?.leaseRenewTime;
  const fresh = (transitionMs: number): NodeHealthData => ({ status: node.status, probeTimestampMs: nowMs, readyTransitionTimestampMs: transitionMs, leaseRenewTime: undefined });
  if (health === undefined) {
    health = fresh(nowMs);
  } else if (savedCondition === undefined && currentReadyBefore !== undefined) {
    health = fresh(nowMs);
  } else if (savedCondition !== undefined && currentReadyBefore === undefined) {
    health = fresh(nowMs);
  } else if (savedCondition !== undefined && currentReadyBefore !== undefined && savedCondition.lastHeartbeatTime !== currentReadyBefore.lastHeartbeatTime) {
    const transitionMs = savedCondition.lastTransitionTime !== currentReadyBefore.lastTransitionTime ? nowMs : health.readyTransitionTimestampMs;
    health = fresh(transitionMs);
  }
  // A renewed Lease always counts as a sign of life.
  const renewTime = lease?.spec?.renewTime;
  if (renewTime !== undefined && (savedLeaseRenewTime === undefined || timeMs(savedLeaseRenewTime) < timeMs(renewTime))) {
    health = { ...health, leaseRenewTime: renewTime, probeTimestampMs: nowMs };
  } else {
    health = { ...health, leaseRenewTime: health.leaseRenewTime ?? savedLeaseRenewTime };
  }

  let currentReady = currentReadyBefore;
  let statusUpdate: Node | undefined;
  if (nowMs > health.probeTimestampMs + gracePeriodMs) {
    const now = metaTime(nowMs);
    const conditions: NodeCondition[] = (node.status?.conditions ?? []).map((c) => ({ ...c }));
    for (const type of monitoredConditionTypes) {
      const current = conditions.find((c) => c.type === type);
      if (current === undefined) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: creation, lastTransitionTime: now });
      } else if (current.status !== 'Unknown') {
        current.status = 'Unknown';
        current.reason = 'NodeStatusUnknown';
        current.message = 'Kubelet stopped posting node status.';
        current.lastTransitionTime = now;
      }
    }
    currentReady = conditions.find((c) => c.type === 'Ready');
    if (!sameCondition(currentReady, observedReady)) {
      statusUpdate = { ...node, status: { ...node.status, conditions } };
    }
  }
  return { health, gracePeriodMs, observedReady, currentReady, statusUpdate };
}

/** What to remember once the Unknown conditions were written (the probe time stays; the transition is now). */
export function afterStatusUpdate(assessment: NodeHealthAssessment, written: Node, nowMs: number): NodeHealthData {
  return {
    status: written.status,
    probeTimestampMs: assessment.health.probeTimestampMs,
    readyTransitionTimestampMs: nowMs,
    leaseRenewTime: assessment.health.leaseRenewTime,
  };
}
