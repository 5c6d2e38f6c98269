// Validation of autoscaling/v2 HorizontalPodAutoscaler after upstream's pkg/apis/autoscaling/validation (v1.32).
import type { CrossVersionObjectReference, HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricTarget } from 'kubernetes-types/autoscaling/v2.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isValidPathSegmentName, validatePathSegmentName } from '../names.js';
import { metadataPath, validateLabelSelector, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';

const spec = FieldPath.root('spec');
const maxPeriodSeconds = 1800;
const maxStabilizationWindowSeconds = 3600;
const metricSourceTypes = ['Object', 'Pods', 'Resource', 'External', 'ContainerResource'];

/** The sign of a resource.Quantity in JSON (a number or a string such as "100m" or "-1"). */
function quantitySign(q: number | string): number {
  const n = typeof q === 'number' ? q : Number.parseFloat(q);
  if (Number.isNaN(n) || n === 0) return 0;
  return n > 0 ? 1 : -1;
}

function validateCrossVersionObjectReference(ref: CrossVersionObjectReference | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const kind = ref?.kind ?? '';
  const name = ref?.name ?? '';
  if (kind.length === 0) errs.push(fieldError.required(path.child('kind')));
  else for (const m of isValidPathSegmentName(kind)) errs.push(fieldError.invalid(path.child('kind'), kind, m));
  if (name.length === 0) errs.push(fieldError.required(path.child('name')));
  else for (const m of isValidPathSegmentName(name)) errs.push(fieldError.invalid(path.child('name'), name, m));
  return errs;
}

function validateMetricTarget(t: MetricTarget | undefined, path: FieldPath): FieldError[] {
  const mt: Partial<MetricTarget> = t ?? {};
  const errs: FieldError[] = [];
  const type = mt.type ?? '';
  if (type.length === 0) errs.push(fieldError.required(path.child('type'), 'must specify a metric target type'));
  if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue') errs.push(fieldError.invalid(path.child('type'), type, 'must be either Utilization, Value, or AverageValue'));
  if (mt.value !== undefined && quantitySign(mt.value) !== 1) errs.push(fieldError.invalid(path.child('value'), mt.value, 'must be positive'));
  if (mt.averageValue !== undefined && quantitySign(mt.averageValue) !== 1) errs.push(fieldError.invalid(path.child('averageValue'), mt.averageValue, 'must be positive'));
  if (mt.averageUtilization !== undefined && mt.averageUtilization < 1) errs.push(fieldError.invalid(path.child('averageUtilization'), mt.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(id: { name?: string; selector?: object } | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = id?.name ?? '';
  if (name.length === 0) errs.push(fieldError.required(path.child('name'), 'must specify a metric name'));
  else for (const m of isValidPathSegmentName(name)) errs.push(fieldError.invalid(path.child('name'), name, m));
  return errs;
}

function validateMetricSpec(m: MetricSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = m.type ?? '';
  if (type.length === 0) errs.push(fieldError.required(path.child('type'), 'must specify a metric source type'));
  if (!metricSourceTypes.includes(type)) errs.push(fieldError.notSupported(path.child('type'), type, metricSourceTypes));
  const present: string[] = [];
  if (m.object !== undefined) {
    present.push('object');
    if (present.length === 1) {
      const p = path.child('object');
      errs.push(...validateCrossVersionObjectReference(m.object.describedObject, p.child('describedObject')));
      errs.push(...validateMetricIdentifier(m.object.metric, p.child('metric')));
      if (m.object.metric?.selector !== undefined) errs.push(...validateLabelSelector(m.object.metric.selector, p.child('metric', 'selector')));
      errs.push(...validateMetricTarget(m.object.target, p.child('target')));
      if (m.object.target?.value === undefined && m.object.target?.averageValue === undefined) {
        errs.push(fieldError.required(p.child('target', 'averageValue'), 'must set either a target value or averageValue'));
      }
    }
  }
  if (m.pods !== undefined) {
    present.push('pods');
    if (present.length === 1) {
      const p = path.child('pods');
      errs.push(...validateMetricIdentifier(m.pods.metric, p.child('metric')));
      errs.push(...validateMetricTarget(m.pods.target, p.child('target')));
      if (m.pods.target?.averageValue === undefined) errs.push(fieldError.required(p.child('target', 'averageValue'), 'must specify a positive target averageValue'));
    }
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const src = m[key];
    if (src === undefined) continue;
    present.push(key);
    if (present.length !== 1) continue;
    const p = path.child(key);
    if ((src.name ?? '').length === 0) errs.push(fieldError.required(p.child('name'), 'must specify a resource name'));
    if (key === 'containerResource' && (m.containerResource?.container ?? '').length === 0) errs.push(fieldError.required(p.child('container'), 'must specify a container'));
    errs.push(...validateMetricTarget(src.target, p.child('target')));
    if (src.target?.averageUtilization === undefined && src.target?.averageValue === undefined) {
      errs.push(fieldError.required(p.child('target', 'averageUtilization'), 'must set either a target raw value or a target utilization'));
    }
    if (src.target?.averageUtilization !== undefined && src.target.averageValue !== undefined) {
      errs.push(fieldError.forbidden(p.child('target', 'averageValue'), 'may not set both a target raw value and a target utilization'));
    }
  }
  if (m.external !== undefined) {
    present.push('external');
    if (present.length === 1) {
      const p = path.child('external');
      errs.push(...validateMetricIdentifier(m.external.metric, p.child('metric')));
      errs.push(...validateMetricTarget(m.external.target, p.child('target')));
      if (m.external.target?.value === undefined && m.external.target?.averageValue === undefined) {
        errs.push(fieldError.required(p.child('target', 'averageValue'), 'must set either a target value for metric or a per-pod target'));
      }
      if (m.external.target?.value !== undefined && m.external.target.averageValue !== undefined) {
        errs.push(fieldError.forbidden(p.child('target', 'value'), 'may not set both a target value for metric and a per-pod target'));
      }
    }
  }
  const expected: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };
  const expectedField = expected[type];
  if (expectedField !== undefined && !present.includes(expectedField)) {
    errs.push(fieldError.required(path.child(expectedField), 'must populate information for the given metric source'));
  }
  if (present.length !== 1) {
    for (const t of present.filter((t) => t !== expectedField)) errs.push(fieldError.forbidden(path.child(t), 'must populate the given metric source only'));
  }
  return errs;
}

function validateScalingRules(rules: HPAScalingRules | undefined, path: FieldPath): FieldError[] {
  if (rules === undefined) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(fieldError.invalid(path.child('stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
  if (w !== undefined && w > maxStabilizationWindowSeconds) {
    errs.push(fieldError.invalid(path.child('stabilizationWindowSeconds'), w, `must be less than or equal to ${maxStabilizationWindowSeconds}`));
  }
  if (rules.selectPolicy !== undefined && !['Disabled', 'Max', 'Min'].includes(rules.selectPolicy)) {
    errs.push(fieldError.notSupported(path.child('selectPolicy'), rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policies = rules.policies ?? [];
  if (policies.length === 0) errs.push(fieldError.required(path.child('policies'), 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const pp = path.child('policies').index(i);
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(fieldError.notSupported(pp.child('type'), p.type, ['Percent', 'Pods']));
    if (p.value <= 0) errs.push(fieldError.invalid(pp.child('value'), p.value, 'must be greater than zero'));
    if (p.periodSeconds <= 0) errs.push(fieldError.invalid(pp.child('periodSeconds'), p.periodSeconds, 'must be greater than zero'));
    if (p.periodSeconds > maxPeriodSeconds) errs.push(fieldError.invalid(pp.child('periodSeconds'), p.periodSeconds, `must be less than or equal to ${maxPeriodSeconds}`));
  });
  return errs;
}

export function validateHPASpec(hpa: HorizontalPodAutoscaler): FieldError[] {
  const s = hpa.spec;
  const errs: FieldError[] = [];
  const min = s?.minReplicas;
  const max = s?.maxReplicas ?? 0;
  if (min !== undefined && min < 1) errs.push(fieldError.invalid(spec.child('minReplicas'), min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(fieldError.invalid(spec.child('maxReplicas'), max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(fieldError.invalid(spec.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(s?.scaleTargetRef, spec.child('scaleTargetRef')));
  (s?.metrics ?? []).forEach((m, i) => errs.push(...validateMetricSpec(m, spec.child('metrics').index(i))));
  if (s?.behavior !== undefined) {
    errs.push(...validateScalingRules(s.behavior.scaleUp, spec.child('behavior', 'scaleUp')));
    errs.push(...validateScalingRules(s.behavior.scaleDown, spec.child('behavior', 'scaleDown')));
  }
  return errs;
}

export const horizontalPodAutoscalerValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const hpa = obj as unknown as HorizontalPodAutoscaler;
    return [...validateObjectMeta(hpa.metadata, true, validatePathSegmentName, metadataPath), ...validateHPASpec(hpa)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const hpa = obj as unknown as HorizontalPodAutoscaler;
    return [...validateObjectMetaUpdate(hpa.metadata, old.metadata, metadataPath), ...validateHPASpec(hpa)];
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const hpa = obj as unknown as HorizontalPodAutoscaler;
    const st = FieldPath.root('status');
    return [
      ...validateObjectMetaUpdate(hpa.metadata, old.metadata, metadataPath),
      ...validateNonnegativeField(hpa.status?.currentReplicas ?? 0, st.child('currentReplicas')),
      ...validateNonnegativeField(hpa.status?.desiredReplicas ?? 0, st.child('desiredReplicas')),
    ];
  },
};
