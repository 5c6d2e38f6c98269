// Validation of policy/v1 PodDisruptionBudget after upstream's pkg/apis/policy/validation/validation.go
// (v1.32); metadata gets the generic registry's path-segment name check.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { validatePathSegmentName } from '../names.js';
import { metadataPath, validateLabelSelector, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './int-or-percent.js';

const spec = FieldPath.root('spec');

function validatePDBSpec(pdb: PodDisruptionBudget): FieldError[] {
  const s = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) errs.push(fieldError.invalid(spec, s, 'minAvailable and maxUnavailable cannot be both set'));
  if (s.minAvailable !== undefined) {
    errs.push(...validatePositiveIntOrPercent(s.minAvailable, spec.child('minAvailable')));
    errs.push(...isNotMoreThan100Percent(s.minAvailable, spec.child('minAvailable')));
  }
  if (s.maxUnavailable !== undefined) {
    errs.push(...validatePositiveIntOrPercent(s.maxUnavailable, spec.child('maxUnavailable')));
    errs.push(...isNotMoreThan100Percent(s.maxUnavailable, spec.child('maxUnavailable')));
  }
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  const policy = s.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow') {
    errs.push(fieldError.notSupported(spec.child('unhealthyPodEvictionPolicy'), policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

export const podDisruptionBudgetValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const pdb = obj as unknown as PodDisruptionBudget;
    return [...validatePDBSpec(pdb), ...validateObjectMeta(pdb.metadata, true, validatePathSegmentName, metadataPath)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const pdb = obj as unknown as PodDisruptionBudget;
    const o = old as unknown as PodDisruptionBudget;
    return [...validatePDBSpec(pdb), ...validateObjectMetaUpdate(pdb.metadata, o.metadata, metadataPath)];
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const pdb = obj as unknown as PodDisruptionBudget;
    const o = old as unknown as PodDisruptionBudget;
    const st = FieldPath.root('status');
    const s = pdb.status;
    return [
      ...validateObjectMetaUpdate(pdb.metadata, o.metadata, metadataPath),
      ...validateNonnegativeField(s?.disruptionsAllowed ?? 0, st.child('disruptionsAllowed')),
      ...validateNonnegativeField(s?.currentHealthy ?? 0, st.child('currentHealthy')),
      ...validateNonnegativeField(s?.desiredHealthy ?? 0, st.child('desiredHealthy')),
      ...validateNonnegativeField(s?.expectedPods ?? 0, st.child('expectedPods')),
    ];
  },
};
