// autoscaling/v1 HorizontalPodAutoscaler <-> autoscaling/v2 (the storage version), after upstream's
// pkg/apis/autoscaling/v1/conversion.go. autoscaling/v1 has only targetCPUUtilizationPercentage; every
// other metric, the current metrics, the conditions and the behavior travel in annotations
// (autoscaling/v1 MetricSpec/MetricStatus JSON, i.e. the v2beta1 shapes), which are dropped again
// whenever the object is converted to autoscaling/v2.
import { annotationsOf, asArray, asRecord, cloneJson, setAnnotations, type JsonRecord } from './json-record.js';

export const metricSpecsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const metricStatusesAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
export const behaviorSpecsAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
const roundTripAnnotations = [metricSpecsAnnotation, metricStatusesAnnotation, conditionsAnnotation, behaviorSpecsAnnotation];

/** autoscaling.DefaultCPUUtilization. */
const defaultCPUUtilization = 80;

function set(out: JsonRecord, key: string, v: unknown): void {
  if (v !== undefined && v !== null) out[key] = v;
}

/** Go's zero resource.Quantity prints as "0"; upstream fills non-pointer quantities that way. */
function quantityOrZero(v: unknown): unknown {
  return v === undefined || v === null ? '0' : v;
}

function objectRef(v: unknown): JsonRecord {
  const r = asRecord(v) ?? {};
  const out: JsonRecord = {};
  set(out, 'kind', r['kind']);
  set(out, 'name', r['name']);
  set(out, 'apiVersion', r['apiVersion']);
  return out;
}

// ---- autoscaling/v2 -> autoscaling/v1 metric shapes (annotation contents) ----

function specV2ToV1(m: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: m['type'] };
  const object = asRecord(m['object']);
  if (object !== undefined) {
    const target = asRecord(object['target']) ?? {};
    const metric = asRecord(object['metric']) ?? {};
    const o: JsonRecord = { target: objectRef(object['describedObject']), metricName: metric['name'] ?? '', targetValue: quantityOrZero(target['value']) };
    set(o, 'selector', metric['selector']);
    set(o, 'averageValue', target['averageValue']);
    out['object'] = o;
  }
  const pods = asRecord(m['pods']);
  if (pods !== undefined) {
    const target = asRecord(pods['target']) ?? {};
    const metric = asRecord(pods['metric']) ?? {};
    const o: JsonRecord = { metricName: metric['name'] ?? '', targetAverageValue: quantityOrZero(target['averageValue']) };
    set(o, 'selector', metric['selector']);
    out['pods'] = o;
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const res = asRecord(m[key]);
    if (res === undefined) continue;
    const target = asRecord(res['target']) ?? {};
    const o: JsonRecord = { name: res['name'] ?? '' };
    set(o, 'targetAverageUtilization', target['averageUtilization']);
    set(o, 'targetAverageValue', target['averageValue']);
    if (key === 'containerResource') o['container'] = res['container'] ?? '';
    out[key] = o;
  }
  const external = asRecord(m['external']);
  if (external !== undefined) {
    const target = asRecord(external['target']) ?? {};
    const metric = asRecord(external['metric']) ?? {};
    const o: JsonRecord = { metricName: metric['name'] ?? '' };
    set(o, 'metricSelector', metric['selector']);
    set(o, 'targetValue', target['value']);
    set(o, 'targetAverageValue', target['averageValue']);
    out['external'] = o;
  }
  return out;
}

function statusV2ToV1(m: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: m['type'] };
  const object = asRecord(m['object']);
  if (object !== undefined) {
    const current = asRecord(object['current']) ?? {};
    const metric = asRecord(object['metric']) ?? {};
    const o: JsonRecord = { target: objectRef(object['describedObject']), metricName: metric['name'] ?? '', currentValue: quantityOrZero(current['value']) };
    set(o, 'selector', metric['selector']);
    set(o, 'averageValue', current['averageValue']);
    out['object'] = o;
  }
  const pods = asRecord(m['pods']);
  if (pods !== undefined) {
    const current = asRecord(pods['current']) ?? {};
    const metric = asRecord(pods['metric']) ?? {};
    const o: JsonRecord = { metricName: metric['name'] ?? '', currentAverageValue: quantityOrZero(current['averageValue']) };
    set(o, 'selector', metric['selector']);
    out['pods'] = o;
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const res = asRecord(m[key]);
    if (res === undefined) continue;
    const current = asRecord(res['current']) ?? {};
    const o: JsonRecord = { name: res['name'] ?? '' };
    set(o, 'currentAverageUtilization', current['averageUtilization']);
    o['currentAverageValue'] = quantityOrZero(current['averageValue']);
    if (key === 'containerResource') o['container'] = res['container'] ?? '';
    out[key] = o;
  }
  const external = asRecord(m['external']);
  if (external !== undefined) {
    const current = asRecord(external['current']) ?? {};
    const metric = asRecord(external['metric']) ?? {};
    const o: JsonRecord = { metricName: metric['name'] ?? '', currentValue: quantityOrZero(current['value']) };
    set(o, 'metricSelector', metric['selector']);
    set(o, 'currentAverageValue', current['averageValue']);
    out['external'] = o;
  }
  return out;
}

// ---- autoscaling/v1 metric shapes -> autoscaling/v2 ----

function metricId(name: unknown, selector: unknown): JsonRecord {
  const out: JsonRecord = { name: name ?? '' };
  set(out, 'selector', selector);
  return out;
}

function specV1ToV2(m: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: m['type'] };
  const object = asRecord(m['object']);
  if (object !== undefined) {
    const averageValue = object['averageValue'];
    const target: JsonRecord = { type: averageValue === undefined || averageValue === null ? 'Value' : 'AverageValue', value: quantityOrZero(object['targetValue']) };
    set(target, 'averageValue', averageValue);
    out['object'] = { describedObject: objectRef(object['target']), target, metric: metricId(object['metricName'], object['selector']) };
  }
  const pods = asRecord(m['pods']);
  if (pods !== undefined) {
    out['pods'] = {
      metric: metricId(pods['metricName'], pods['selector']),
      target: { type: 'AverageValue', averageValue: quantityOrZero(pods['targetAverageValue']) },
    };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const res = asRecord(m[key]);
    if (res === undefined) continue;
    const utilization = res['targetAverageUtilization'];
    const target: JsonRecord = { type: utilization === undefined || utilization === null ? 'AverageValue' : 'Utilization' };
    set(target, 'averageValue', res['targetAverageValue']);
    set(target, 'averageUtilization', utilization);
    const o: JsonRecord = { name: res['name'] ?? '', target };
    if (key === 'containerResource') o['container'] = res['container'] ?? '';
    out[key] = o;
  }
  const external = asRecord(m['external']);
  if (external !== undefined) {
    const value = external['targetValue'];
    const target: JsonRecord = { type: value === undefined || value === null ? 'AverageValue' : 'Value' };
    set(target, 'value', value);
    set(target, 'averageValue', external['targetAverageValue']);
    out['external'] = { metric: metricId(external['metricName'], external['metricSelector']), target };
  }
  return out;
}

function statusV1ToV2(m: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: m['type'] };
  const object = asRecord(m['object']);
  if (object !== undefined) {
    const current: JsonRecord = { value: quantityOrZero(object['currentValue']) };
    set(current, 'averageValue', object['averageValue']);
    out['object'] = { metric: metricId(object['metricName'], object['selector']), current, describedObject: objectRef(object['target']) };
  }
  const pods = asRecord(m['pods']);
  if (pods !== undefined) {
    out['pods'] = { metric: metricId(pods['metricName'], pods['selector']), current: { averageValue: quantityOrZero(pods['currentAverageValue']) } };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const res = asRecord(m[key]);
    if (res === undefined) continue;
    const current: JsonRecord = { averageValue: quantityOrZero(res['currentAverageValue']) };
    set(current, 'averageUtilization', res['currentAverageUtilization']);
    const o: JsonRecord = { name: res['name'] ?? '', current };
    if (key === 'containerResource') o['container'] = res['container'] ?? '';
    out[key] = o;
  }
  const external = asRecord(m['external']);
  if (external !== undefined) {
    const current: JsonRecord = { value: quantityOrZero(external['currentValue']) };
    set(current, 'averageValue', external['currentAverageValue']);
    out['external'] = { metric: metricId(external['metricName'], external['metricSelector']), current };
  }
  return out;
}

// ---- behavior: upstream marshals its internal Go type, so the annotation uses Go field names ----

const behaviorGoNames: Readonly<Record<string, string>> = {
  scaleUp: 'ScaleUp',
  scaleDown: 'ScaleDown',
  stabilizationWindowSeconds: 'StabilizationWindowSeconds',
  selectPolicy: 'SelectPolicy',
  policies: 'Policies',
  type: 'Type',
  value: 'Value',
  periodSeconds: 'PeriodSeconds',
};

function renameKeys(v: unknown, rename: (k: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => renameKeys(x, rename));
  const r = asRecord(v);
  if (r === undefined) return v;
  const out: JsonRecord = {};
  for (const [k, x] of Object.entries(r)) out[rename(k)] = renameKeys(x, rename);
  return out;
}

function behaviorToAnnotation(behavior: JsonRecord): string {
  return JSON.stringify(renameKeys(behavior, (k) => behaviorGoNames[k] ?? k));
}

/** Go's json.Unmarshal matches field names case-insensitively; so does this. */
function behaviorFromAnnotation(text: string): JsonRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    return undefined;
  }
  const byLower = new Map(Object.keys(behaviorGoNames).map((k) => [k.toLowerCase(), k]));
  const renamed = asRecord(renameKeys(parsed, (k) => byLower.get(k.toLowerCase()) ?? k));
  if (renamed === undefined) return undefined;
  const out: JsonRecord = {};
  for (const key of ['scaleUp', 'scaleDown']) {
    const rules = asRecord(renamed[key]);
    if (rules === undefined) continue;
    const clean: JsonRecord = {};
    for (const [k, v] of Object.entries(rules)) if (v !== null) clean[k] = v;
    out[key] = clean;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function parseJsonArray(text: string): JsonRecord[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return undefined;
    return parsed.map((x) => asRecord(x) ?? {});
  } catch (e: unknown) {
    return undefined;
  }
}

function isCPU(m: JsonRecord, part: 'target' | 'current'): { yes: boolean; utilization: unknown } {
  const res = asRecord(m['resource']);
  if (m['type'] !== 'Resource' || res === undefined || res['name'] !== 'cpu') return { yes: false, utilization: undefined };
  return { yes: true, utilization: asRecord(res[part])?.['averageUtilization'] };
}

/** An autoscaling/v2 object sent by a client, without the annotations only conversion may write. `obj` is not mutated. */
export function dropRoundTripAnnotations(obj: JsonRecord): JsonRecord {
  const ann = annotationsOf(obj);
  if (!roundTripAnnotations.some((a) => a in ann)) return { ...obj };
  const out = cloneJson(obj);
  for (const a of roundTripAnnotations) delete ann[a];
  setAnnotations(out, ann);
  return out;
}

/** An autoscaling/v1 HorizontalPodAutoscaler in autoscaling/v2. `obj` is not mutated. */
export function hpaV1ToV2(obj: JsonRecord): JsonRecord {
  const src = cloneJson(obj);
  const out: JsonRecord = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
  if (src['metadata'] !== undefined) out['metadata'] = src['metadata'];
  const ann = annotationsOf(src);
  const inSpec = asRecord(src['spec']) ?? {};
  const spec: JsonRecord = {};
  set(spec, 'scaleTargetRef', inSpec['scaleTargetRef']);
  set(spec, 'minReplicas', inSpec['minReplicas']);
  set(spec, 'maxReplicas', inSpec['maxReplicas']);
  let metrics: JsonRecord[] = [];
  const cpu = inSpec['targetCPUUtilizationPercentage'];
  if (typeof cpu === 'number') metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
  const other = ann[metricSpecsAnnotation] !== undefined ? parseJsonArray(ann[metricSpecsAnnotation]) : undefined;
  if (other !== undefined) metrics = [...other.map(specV1ToV2), ...metrics];
  if (metrics.length === 0) metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }];
  spec['metrics'] = metrics;
  const behaviorText = ann[behaviorSpecsAnnotation];
  const behavior = behaviorText !== undefined ? behaviorFromAnnotation(behaviorText) : undefined;
  if (behavior !== undefined) spec['behavior'] = behavior;
  out['spec'] = spec;

  const inStatus = asRecord(src['status']);
  const statusCurrent = ann[metricStatusesAnnotation] !== undefined ? parseJsonArray(ann[metricStatusesAnnotation]) : undefined;
  const statusConditions = ann[conditionsAnnotation] !== undefined ? parseJsonArray(ann[conditionsAnnotation]) : undefined;
  if (inStatus !== undefined || statusCurrent !== undefined || statusConditions !== undefined) {
    const s = inStatus ?? {};
    const status: JsonRecord = {};
    set(status, 'observedGeneration', s['observedGeneration']);
    set(status, 'lastScaleTime', s['lastScaleTime']);
    status['currentReplicas'] = s['currentReplicas'] ?? 0;
    status['desiredReplicas'] = s['desiredReplicas'] ?? 0;
    const currentCPU = s['currentCPUUtilizationPercentage'];
    if (typeof currentCPU === 'number') status['currentMetrics'] = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPU } } }];
    if (statusCurrent !== undefined) status['currentMetrics'] = statusCurrent.map(statusV1ToV2);
    if (statusConditions !== undefined) status['conditions'] = statusConditions;
    out['status'] = status;
  }
  for (const a of roundTripAnnotations) delete ann[a];
  setAnnotations(out, ann);
  return out;
}

/** An autoscaling/v2 HorizontalPodAutoscaler in autoscaling/v1. `obj` is not mutated. */
export function hpaV2ToV1(obj: JsonRecord): JsonRecord {
  const src = cloneJson(obj);
  const out: JsonRecord = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' };
  if (src['metadata'] !== undefined) out['metadata'] = src['metadata'];
  const ann = annotationsOf(src);
  for (const a of roundTripAnnotations) delete ann[a];
  const inSpec = asRecord(src['spec']) ?? {};
  const spec: JsonRecord = {};
  set(spec, 'scaleTargetRef', inSpec['scaleTargetRef']);
  set(spec, 'minReplicas', inSpec['minReplicas']);
  set(spec, 'maxReplicas', inSpec['maxReplicas']);
  const metrics = asArray(inSpec['metrics']).map((m) => asRecord(m) ?? {});
  for (const m of metrics) {
    const c = isCPU(m, 'target');
    if (!c.yes) continue;
    if (typeof c.utilization === 'number') spec['targetCPUUtilizationPercentage'] = c.utilization;
    break;
  }
  const other = metrics.filter((m) => {
    const c = isCPU(m, 'target');
    return !(c.yes && c.utilization !== undefined && c.utilization !== null);
  });
  if (other.length > 0) ann[metricSpecsAnnotation] = JSON.stringify(other.map(specV2ToV1));
  const behavior = asRecord(inSpec['behavior']);
  if (behavior !== undefined) ann[behaviorSpecsAnnotation] = behaviorToAnnotation(behavior);
  out['spec'] = spec;

  const inStatus = asRecord(src['status']);
  if (inStatus !== undefined) {
    const status: JsonRecord = {};
    set(status, 'observedGeneration', inStatus['observedGeneration']);
    set(status, 'lastScaleTime', inStatus['lastScaleTime']);
    status['currentReplicas'] = inStatus['currentReplicas'] ?? 0;
    status['desiredReplicas'] = inStatus['desiredReplicas'] ?? 0;
    const current = asArray(inStatus['currentMetrics']).map((m) => asRecord(m) ?? {});
    for (const m of current) {
      const c = isCPU(m, 'current');
      if (c.yes && typeof c.utilization === 'number') status['currentCPUUtilizationPercentage'] = c.utilization;
    }
    if (current.length > 0) ann[metricStatusesAnnotation] = JSON.stringify(current.map(statusV2ToV1));
    const conditions = asArray(inStatus['conditions']);
    if (conditions.length > 0) ann[conditionsAnnotation] = JSON.stringify(conditions);
    out['status'] = status;
  }
  setAnnotations(out, ann);
  return out;
}
