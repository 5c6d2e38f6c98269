// Namespace validation after ValidateNamespace, ValidateNamespaceUpdate/StatusUpdate/FinalizeUpdate.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { validateNameDNSLabel } from '../names.js';
import { validateFinalizerName, validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';

const metaPath = FieldPath.root('metadata');

function finalizerErrors(ns: Namespace, indexed: boolean): FieldError[] {
  const p = FieldPath.root('spec', 'finalizers');
  return (ns.spec?.finalizers ?? []).flatMap((f, i) => {
    const path = indexed ? p.index(i) : p;
    return [...validateFinalizerName(f, path), ...validateKubeFinalizerName(f, path)];
  });
}

export function validateNamespace(ns: Namespace): FieldError[] {
  return [...validateObjectMeta(ns.metadata, false, validateNameDNSLabel, metaPath), ...finalizerErrors(ns, false)];
}

export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata, metaPath);
  const phase = ns.status?.phase ?? '';
  if (ns.metadata?.deletionTimestamp === undefined || ns.metadata.deletionTimestamp === null) {
    if (phase !== 'Active') errs.push(fieldError.invalid(FieldPath.root('status', 'Phase'), phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(fieldError.invalid(FieldPath.root('status', 'Phase'), phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

/** ValidateNamespaceFinalizeUpdate (the finalize subresource). */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return [...validateObjectMetaUpdate(ns.metadata, old.metadata, metaPath), ...finalizerErrors(ns, true)];
}

function asNS(obj: StoredObject): Namespace {
  return obj as unknown as Namespace;
}

export const namespaceValidator: KindValidator = {
  create: (obj) => validateNamespace(asNS(obj)),
  update: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath),
  statusUpdate: (obj, old) => validateNamespaceStatusUpdate(asNS(obj), asNS(old)),
};
