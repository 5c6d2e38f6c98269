// VolumeZone: a bound PersistentVolume labelled with a zone or region only fits nodes in one of
// those zones / regions (labels may list several values joined by "__").
import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';
import { boundVolumes, podClaimNames } from './volume-binding.js';

export const volumeZoneConflictReason = 'node(s) had no available volume zone';

const topologyLabels = [
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
];

const gaLabel: Readonly<Record<string, string>> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
};

export const volumeZone: FilterPlugin = {
  name: 'VolumeZone',
  preFilter(pod, snapshot) {
    if (snapshot.objects.persistentVolumeClaims === undefined || podClaimNames(pod).length === 0) return { kind: 'skip' };
    const bound = boundVolumes(pod, snapshot);
    // VolumeBinding reports unusable claims first.
    if ('reason' in bound) return { kind: 'skip' };
    const wanted: Array<{ key: string; values: Set<string> }> = [];
    for (const pv of bound.volumes) {
      for (const key of topologyLabels) {
        const v = pv.metadata?.labels?.[key];
        if (v !== undefined) wanted.push({ key, values: new Set(v.split('__')) });
      }
    }
    if (wanted.length === 0) return { kind: 'skip' };
    return {
      kind: 'filter',
      filter: (nodeInfo) => {
        const labels = nodeInfo.node.metadata?.labels ?? {};
        if (!topologyLabels.some((k) => labels[k] !== undefined)) return null;
        for (const w of wanted) {
          const v = labels[w.key] ?? labels[gaLabel[w.key] ?? ''];
          if (v === undefined || !w.values.has(v)) return unresolvable('VolumeZone', volumeZoneConflictReason);
        }
        return null;
      },
    };
  },
};
