// Resource names and quantities after pkg/apis/core/helper and the resource checks of
// pkg/apis/core/validation: which names are standard, native, extended, integer, and
// how a ResourceList and ResourceRequirements are validated.
import { type FieldError, type FieldPath, fieldError } from '../../../machinery/field-errors.js';
import { parseQuantity, type Quantity } from '../../../machinery/quantity.js';
import { isNegativeErrorMsg } from '../object-meta.js';
import { isQualifiedName } from '../names.js';

export const isNotIntegerErrorMsg = 'must be an integer';
export const isNotPositiveErrorMsg = 'must be greater than zero';
export const isInvalidQuotaResource = 'must be a standard resource for quota';

const standardResources = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'persistentvolumeclaims',
  'configmaps', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const standardQuotaResources = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu',
  'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);
const integerResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports',
  'services.loadbalancers',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isQuotaHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

export function isStandardResourceName(name: string): boolean {
  return standardResources.has(name) || isQuotaHugePageResourceName(name);
}

export function isStandardContainerResourceName(name: string): boolean {
  return standardContainerResources.has(name) || isHugePageResourceName(name);
}

export function isStandardQuotaResourceName(name: string): boolean {
  return standardQuotaResources.has(name) || isQuotaHugePageResourceName(name);
}

/** No domain, or a kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

export function isIntegerResourceName(name: string): boolean {
  return integerResources.has(name) || isExtendedResourceName(name);
}

/** Requests may be below limits only for native resources other than huge pages. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

/** Parses a quantity of a ResourceList; a malformed one is reported (upstream rejects it while decoding). */
export function quantityAt(value: unknown, path: FieldPath, errs: FieldError[]): Quantity | undefined {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string') {
    errs.push(fieldError.invalid(path, value, 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''));
    return undefined;
  }
  try {
    return parseQuantity(s);
  } catch (e: unknown) {
    errs.push(fieldError.invalid(path, s, e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}

/** True when the quantity is a whole number (upstream: MilliValue() % 1000 == 0). */
export function isWholeQuantity(q: Quantity): boolean {
  return q.milliValue() % 1000n === 0n;
}

export function validateNonnegativeQuantity(q: Quantity, path: FieldPath): FieldError[] {
  return q.sign() < 0 ? [fieldError.invalid(path, q.toString(), isNegativeErrorMsg)] : [];
}

export function validatePositiveQuantityValue(q: Quantity, path: FieldPath): FieldError[] {
  return q.sign() <= 0 ? [fieldError.invalid(path, q.toString(), isNotPositiveErrorMsg)] : [];
}

/** ValidateResourceQuantityValue: non-negative, and whole for integer resources. */
export function validateResourceQuantityValue(resource: string, q: Quantity, path: FieldPath): FieldError[] {
  const errs = validateNonnegativeQuantity(q, path);
  if (isIntegerResourceName(resource) && !isWholeQuantity(q)) errs.push(fieldError.invalid(path, q.toString(), isNotIntegerErrorMsg));
  return errs;
}

export function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) {
    errs.push(fieldError.invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!isStandardContainerResourceName(name)) errs.push(fieldError.invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(fieldError.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateResourceQuotaResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !isStandardQuotaResourceName(name)) errs.push(fieldError.invalid(path, name, isInvalidQuotaResource));
  return errs;
}

export interface ResourceRequirementsLike {
  limits?: Record<string, unknown>;
  requests?: Record<string, unknown>;
  claims?: ReadonlyArray<{ name?: string; request?: string }>;
}

/** ValidateContainerResourceRequirements: names, quantities, requests <= limits. */
export function validateContainerResourceRequirements(
  req: ResourceRequirementsLike | undefined,
  podClaimNames: ReadonlySet<string>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  if (req === undefined) return errs;
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  let limCpuMem = false;
  let reqCpuMem = false;
  let limHuge = false;
  let reqHuge = false;
  const limits = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(req.limits ?? {})) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (q === undefined) continue;
    limits.set(name, q);
    errs.push(...validateResourceQuantityValue(name, q, p));
    if (isHugePageResourceName(name)) limHuge = true;
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, raw] of Object.entries(req.requests ?? {})) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (q === undefined) continue;
    errs.push(...validateResourceQuantityValue(name, q, p));
    const limit = limits.get(name);
    if (limit !== undefined) {
      if (q.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(fieldError.invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (q.cmp(limit) > 0) {
        errs.push(fieldError.invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
      }
    } else if (!isOvercommitAllowed(name) && !Object.hasOwn(req.limits ?? {}, name)) {
      errs.push(fieldError.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) reqHuge = true;
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (!limCpuMem && !reqCpuMem && (reqHuge || limHuge)) errs.push(fieldError.forbidden(path, 'HugePages require cpu or memory'));

  const names = new Set<string>();
  (req.claims ?? []).forEach((claim, i) => {
    const name = claim.name ?? '';
    if (name === '') {
      errs.push(fieldError.required(path.child('claims').index(i)));
      return;
    }
    const key = claim.request !== undefined && claim.request !== '' ? `${name}/${claim.request}` : name;
    if (names.has(name) || names.has(key)) errs.push(fieldError.duplicate(path.child('claims').index(i), key));
    names.add(key);
    if (!podClaimNames.has(name)) {
      const detail =
        podClaimNames.size === 0
          ? 'must be one of the names in pod.spec.resourceClaims which is empty'
          : `must be one of the names in pod.spec.resourceClaims: ${[...podClaimNames].sort().join(', ')}`;
      errs.push({ ...fieldError.notFound(path.child('claims').index(i), name), detail });
    }
  });
  return errs;
}

/** Validates a ResourceList whose names are resource-quota names (quota hard/used). */
export function validateQuotaResourceList(list: Record<string, unknown> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, raw] of Object.entries(list ?? {})) {
    const p = path.key(name);
    errs.push(...validateResourceQuotaResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (q !== undefined) errs.push(...validateResourceQuantityValue(name, q, p));
  }
  return errs;
}
