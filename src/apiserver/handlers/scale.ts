// The scale subresource (autoscaling/v1 Scale) of replication controllers, deployments, replica sets and stateful sets.
import { isRecord, type StoredObject } from '../../api/object.js';
import { ApiError } from '../../machinery/errors.js';

/** metav1.FormatLabelSelector for a LabelSelector, or the plain map form of a ReplicationController selector. */
export function selectorString(sel: unknown): string {
  if (!isRecord(sel)) return '';
  // Requirements print sorted by key, matchLabels and matchExpressions together (labels.Selector.String()).
  const parts: { key: string; text: string }[] = [];
  const hasStructured = 'matchLabels' in sel || 'matchExpressions' in sel;
  const labels = hasStructured ? (isRecord(sel['matchLabels']) ? sel['matchLabels'] : {}) : sel;
  for (const k of Object.keys(labels)) parts.push({ key: k, text: `${k}=${String(labels[k])}` });
  if (hasStructured && Array.isArray(sel['matchExpressions'])) {
    for (const e of sel['matchExpressions']) {
      if (!isRecord(e)) continue;
      const key = String(e['key']);
      const values = Array.isArray(e['values']) ? [...(e['values'] as string[])].sort() : [];
      switch (e['operator']) {
        case 'In':
          parts.push({ key, text: `${key} in (${values.join(',')})` });
          break;
        case 'NotIn':
          parts.push({ key, text: `${key} notin (${values.join(',')})` });
          break;
        case 'Exists':
          parts.push({ key, text: key });
          break;
        case 'DoesNotExist':
          parts.push({ key, text: `!${key}` });
          break;
        default:
          break;
      }
    }
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

export function scaleOf(obj: StoredObject): unknown {
  const spec = isRecord(obj['spec']) ? obj['spec'] : {};
  const status = isRecord(obj['status']) ? obj['status'] : {};
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 0 },
    status: { replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0, selector: selectorString(spec['selector']) },
  };
}

/** The parent object with the Scale's spec.replicas applied; validates as upstream's ValidateScale. */
export function applyScale(current: StoredObject, scale: unknown, name: string, parent: { group: string; name: string } = { group: 'autoscaling', name: 'scale' }): StoredObject {
  const s = isRecord(scale) ? scale : {};
  const spec = isRecord(s['spec']) ? s['spec'] : {};
  const replicas = spec['replicas'] ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw ApiError.badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
  }
  if (replicas < 0) {
    throw ApiError.invalid({ group: 'autoscaling', name: 'Scale' }, name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' }]);
  }
  const meta = isRecord(s['metadata']) ? s['metadata'] : {};
  const rv = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
  if (rv !== '' && rv !== current.metadata.resourceVersion) {
    throw ApiError.conflict(parent, name, ApiError.optimisticLockMessage);
  }
  const parentSpec = isRecord(current['spec']) ? current['spec'] : {};
  current['spec'] = { ...parentSpec, replicas };
  return current;
}
