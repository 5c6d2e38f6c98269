// Upstream's endpointSubsetsEqualIgnoreResourceVersion and Semantic.DeepEqual of label maps, for deciding whether an
// Endpoints write would change anything.
import { isDeepStrictEqual } from 'node:util';
import type { EndpointAddress, EndpointSubset } from 'kubernetes-types/core/v1.js';

function withoutTargetVersion(a: EndpointAddress): EndpointAddress {
  if (a.targetRef?.resourceVersion === undefined) return a;
  const { resourceVersion: _rv, ...ref } = a.targetRef;
  return { ...a, targetRef: ref };
}

function normalize(ss: EndpointSubset): EndpointSubset {
  const out: EndpointSubset = {};
  if ((ss.addresses ?? []).length > 0) out.addresses = (ss.addresses ?? []).map(withoutTargetVersion);
  if ((ss.notReadyAddresses ?? []).length > 0) out.notReadyAddresses = (ss.notReadyAddresses ?? []).map(withoutTargetVersion);
  if ((ss.ports ?? []).length > 0) out.ports = ss.ports;
  return out;
}

/** Equal subsets, ignoring the resourceVersion of target references and empty-versus-missing lists. */
export function subsetsEqual(a: readonly EndpointSubset[], b: readonly EndpointSubset[]): boolean {
  return a.length === b.length && a.every((s, i) => isDeepStrictEqual(JSON.parse(JSON.stringify(normalize(s))), JSON.parse(JSON.stringify(normalize(b[i] ?? {})))));
}

/** Equal label maps (a missing map equals an empty one). */
export function labelsEqual(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}
