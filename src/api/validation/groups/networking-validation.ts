// Validation of networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy after upstream's
// pkg/apis/networking/validation/validation.go (v1.32).
import type { Ingress, IngressBackend, IngressClass, IngressSpec, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import {
  isDNS1123Subdomain,
  isValidCIDR,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  isValidPathSegmentName,
  parsesAsIP,
  validateNameDNS1035Label,
  validateNameDNSSubdomain,
} from '../names.js';
import { metadataPath, validateImmutableField, validateLabelSelector, validateNamespaceName, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';

const spec = FieldPath.root('spec');

// ---- NetworkPolicy ----

function validateNetworkPolicyPort(port: NetworkPolicyPort, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    errs.push(fieldError.notSupported(path.child('protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  if (port.port !== undefined) {
    if (typeof port.port === 'number') {
      for (const m of isValidPortNum(port.port)) errs.push(fieldError.invalid(path.child('port'), port.port, m));
      if (port.endPort !== undefined) {
        if (port.endPort < port.port) errs.push(fieldError.invalid(path.child('endPort'), port.port, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(port.endPort)) errs.push(fieldError.invalid(path.child('endPort'), port.endPort, m));
      }
    } else {
      if (port.endPort !== undefined) errs.push(fieldError.invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(port.port)) errs.push(fieldError.invalid(path.child('port'), port.port, m));
    }
  } else if (port.endPort !== undefined) {
    errs.push(fieldError.invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateNetworkPolicyPeer(peer: NetworkPolicyPeer, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let numPeers = 0;
  if (peer.podSelector !== undefined) {
    numPeers++;
    errs.push(...validateLabelSelector(peer.podSelector, path.child('podSelector')));
  }
  if (peer.namespaceSelector !== undefined) {
    numPeers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, path.child('namespaceSelector')));
  }
  if (peer.ipBlock !== undefined) {
    numPeers++;
    const p = path.child('ipBlock');
    if ((peer.ipBlock.cidr ?? '') === '') errs.push(fieldError.required(p.child('cidr')));
    else {
      for (const m of isValidCIDR(peer.ipBlock.cidr)) errs.push(fieldError.invalid(p.child('cidr'), peer.ipBlock.cidr, m));
      (peer.ipBlock.except ?? []).forEach((e, i) => {
        for (const m of isValidCIDR(e)) errs.push(fieldError.invalid(p.child('except').index(i), e, m));
      });
    }
  }
  if (numPeers === 0) errs.push(fieldError.required(path, 'must specify a peer'));
  else if (numPeers > 1 && peer.ipBlock !== undefined) errs.push(fieldError.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

export function validateNetworkPolicySpec(s: NetworkPolicySpec | undefined, path: FieldPath): FieldError[] {
  const sp: Partial<NetworkPolicySpec> = s ?? {};
  const errs = validateLabelSelector(sp.podSelector ?? {}, path.child('podSelector'));
  (sp.ingress ?? []).forEach((rule, i) => {
    const rp = path.child('ingress').index(i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, rp.child('ports').index(j))));
    (rule.from ?? []).forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, rp.child('from').index(j))));
  });
  (sp.egress ?? []).forEach((rule, i) => {
    const rp = path.child('egress').index(i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, rp.child('ports').index(j))));
    (rule.to ?? []).forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, rp.child('to').index(j))));
  });
  const types = sp.policyTypes ?? [];
  if (types.length > 2) {
    errs.push(fieldError.invalid(path.child('policyTypes'), types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(fieldError.notSupported(path.child('policyTypes').index(i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

export const networkPolicyValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const np = obj as unknown as NetworkPolicy;
    return [...validateObjectMeta(np.metadata, true, validateNameDNSSubdomain, metadataPath), ...validateNetworkPolicySpec(np.spec, spec)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const np = obj as unknown as NetworkPolicy;
    const o = old as unknown as NetworkPolicy;
    return [...validateObjectMetaUpdate(np.metadata, o.metadata, metadataPath), ...validateNetworkPolicySpec(np.spec, spec)];
  },
};

// ---- Ingress ----

const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];

function validateTypedLocalObjectReference(ref: { apiGroup?: string; kind: string; name: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined) for (const m of isDNS1123Subdomain(ref.apiGroup)) errs.push(fieldError.invalid(path.child('apiGroup'), ref.apiGroup, m));
  if ((ref.kind ?? '') === '') errs.push(fieldError.required(path.child('kind'), 'kind is required'));
  else for (const m of isValidPathSegmentName(ref.kind)) errs.push(fieldError.invalid(path.child('kind'), ref.kind, m));
  if ((ref.name ?? '') === '') errs.push(fieldError.required(path.child('name'), 'name is required'));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(fieldError.invalid(path.child('name'), ref.name, m));
  return errs;
}

function validateIngressBackend(b: IngressBackend, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (b.resource !== undefined && b.service !== undefined) return [fieldError.invalid(path, '', 'cannot set both resource and service backends')];
  if (b.resource !== undefined) return validateTypedLocalObjectReference(b.resource, path.child('resource'));
  if (b.service === undefined) return [fieldError.invalid(path, '', 'resource or service backend is required')];
  const svc = b.service;
  if ((svc.name ?? '') === '') errs.push(fieldError.required(path.child('service', 'name')));
  else for (const m of validateNameDNS1035Label(svc.name, false)) errs.push(fieldError.invalid(path.child('service', 'name'), svc.name, m));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName.length > 0 && portNumber !== 0) errs.push(fieldError.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName.length > 0) for (const m of isValidPortName(portName)) errs.push(fieldError.invalid(path.child('service', 'port', 'name'), portName, m));
  else if (portNumber !== 0) for (const m of isValidPortNum(portNumber)) errs.push(fieldError.invalid(path.child('service', 'port', 'number'), portNumber, m));
  else errs.push(fieldError.required(path, 'port name or number is required'));
  return errs;
}

function validateHost(host: string, path: FieldPath): FieldError[] {
  const check = host.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
  return check(host).map((m) => fieldError.invalid(path, host, m));
}

export function validateIngressSpec(s: IngressSpec | undefined, path: FieldPath): FieldError[] {
  const sp = s ?? {};
  const errs: FieldError[] = [];
  const rules = sp.rules ?? [];
  if (rules.length === 0 && sp.defaultBackend === undefined) errs.push(fieldError.invalid(path, rules, 'either `defaultBackend` or `rules` must be specified'));
  if (sp.defaultBackend !== undefined) errs.push(...validateIngressBackend(sp.defaultBackend, path.child('defaultBackend')));
  rules.forEach((rule, i) => {
    const rp = path.child('rules').index(i);
    const host = rule.host ?? '';
    if (host.length > 0) {
      if (parsesAsIP(host)) errs.push(fieldError.invalid(rp.child('host'), host, 'must be a DNS name, not an IP address'));
      errs.push(...validateHost(host, rp.child('host')));
    }
    if (rule.http !== undefined) {
      const hp = rp.child('http');
      if ((rule.http.paths ?? []).length === 0) errs.push(fieldError.required(hp.child('paths')));
      (rule.http.paths ?? []).forEach((p, j) => {
        const pp = hp.child('paths').index(j);
        const value = p.path ?? '';
        switch (p.pathType) {
          case undefined:
            errs.push(fieldError.required(pp.child('pathType'), 'pathType must be specified'));
            return;
          case 'Exact':
          case 'Prefix':
            if (!value.startsWith('/')) errs.push(fieldError.invalid(pp.child('path'), value, 'must be an absolute path'));
            if (value.length > 0) {
              for (const seq of invalidPathSequences) if (value.includes(seq)) errs.push(fieldError.invalid(pp.child('path'), value, `must not contain '${seq}'`));
              for (const suf of invalidPathSuffixes) if (value.endsWith(suf)) errs.push(fieldError.invalid(pp.child('path'), value, `cannot end with '${suf}'`));
            }
            break;
          case 'ImplementationSpecific':
            if (value.length > 0 && !value.startsWith('/')) errs.push(fieldError.invalid(pp.child('path'), value, 'must be an absolute path'));
            break;
          default:
            errs.push(fieldError.notSupported(pp.child('pathType'), p.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
        }
        errs.push(...validateIngressBackend(p.backend ?? {}, pp.child('backend')));
      });
    }
  });
  (sp.tls ?? []).forEach((tls, i) => {
    const tp = path.child('tls').index(i);
    (tls.hosts ?? []).forEach((h, j) => errs.push(...validateHost(h, tp.child('hosts').index(j))));
    const secret = tls.secretName ?? '';
    if (secret.length > 0) for (const m of validateNameDNSSubdomain(secret, false)) errs.push(fieldError.invalid(tp.child('secretName'), secret, m));
  });
  if (sp.ingressClassName !== undefined) {
    for (const m of validateNameDNSSubdomain(sp.ingressClassName, false)) errs.push(fieldError.invalid(path.child('ingressClassName'), sp.ingressClassName, m));
  }
  return errs;
}

function validateIngressStatus(ing: Ingress): FieldError[] {
  const errs: FieldError[] = [];
  const p = FieldPath.root('status', 'loadBalancer', 'ingress');
  (ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const ip = lb.ip ?? '';
    if (ip.length > 0 && !parsesAsIP(ip)) errs.push(fieldError.invalid(p.index(i).child('ip'), ip, 'must be a valid IP address'));
    const hostname = lb.hostname ?? '';
    if (hostname.length > 0) {
      for (const m of isDNS1123Subdomain(hostname)) errs.push(fieldError.invalid(p.index(i).child('hostname'), hostname, m));
      if (parsesAsIP(hostname)) errs.push(fieldError.invalid(p.index(i).child('hostname'), hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

const ingressClassAnnotation = 'kubernetes.io/ingress.class';

export const ingressValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const ing = obj as unknown as Ingress;
    const errs = [...validateObjectMeta(ing.metadata, true, validateNameDNSSubdomain, metadataPath), ...validateIngressSpec(ing.spec, spec)];
    const annotation = ing.metadata?.annotations?.[ingressClassAnnotation];
    const className = ing.spec?.ingressClassName;
    if (annotation !== undefined && className !== undefined && annotation !== className) {
      errs.push(fieldError.invalid(FieldPath.root('annotations').child(ingressClassAnnotation), annotation, 'must match `ingressClassName` when both are specified'));
    }
    return errs;
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const ing = obj as unknown as Ingress;
    const o = old as unknown as Ingress;
    return [...validateObjectMetaUpdate(ing.metadata, o.metadata, metadataPath), ...validateIngressSpec(ing.spec, spec)];
  },
  statusUpdate(obj: StoredObject, old: StoredObject): FieldError[] {
    const ing = obj as unknown as Ingress;
    const o = old as unknown as Ingress;
    return [...validateObjectMetaUpdate(ing.metadata, o.metadata, metadataPath), ...validateIngressStatus(ing)];
  },
};

// ---- IngressClass ----

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRegexp = new RegExp(`^${httpPathFmt}$`);

/** validation.IsDomainPrefixedPath. */
function validateDomainPrefixedPath(value: string, path: FieldPath): FieldError[] {
  if (value.length === 0) return [fieldError.required(path)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) return [fieldError.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => fieldError.invalid(path, host, m));
  if (!httpPathRegexp.test(rest)) errs.push(fieldError.invalid(path, rest, `Invalid path (regex used for validation is '${httpPathFmt}')`));
  return errs;
}

function validateIngressClassSpec(ic: IngressClass): FieldError[] {
  const p = spec;
  const controller = ic.spec?.controller ?? '';
  const errs: FieldError[] = [];
  if (controller.length > 250) errs.push(fieldError.tooLong(p.child('controller'), controller, 250));
  errs.push(...validateDomainPrefixedPath(controller, p.child('controller')));
  const params = ic.spec?.parameters;
  if (params !== undefined) {
    const pp = p.child('parameters');
    errs.push(...validateTypedLocalObjectReference(params, pp));
    if (params.scope === undefined) errs.push(fieldError.required(pp.child('scope')));
    else if (params.scope !== 'Cluster' && params.scope !== 'Namespace') errs.push(fieldError.notSupported(pp.child('scope'), params.scope, ['Cluster', 'Namespace']));
    else if (params.scope === 'Namespace') {
      if (params.namespace === undefined) errs.push(fieldError.required(pp.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
      else for (const m of validateNamespaceName(params.namespace, false)) errs.push(fieldError.invalid(pp.child('namespace'), params.namespace, m));
    } else if (params.namespace !== undefined) {
      errs.push(fieldError.forbidden(pp.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

export const ingressClassValidator: KindValidator = {
  create(obj: StoredObject): FieldError[] {
    const ic = obj as unknown as IngressClass;
    return [...validateObjectMeta(ic.metadata, false, validateNameDNSSubdomain, metadataPath), ...validateIngressClassSpec(ic)];
  },
  update(obj: StoredObject, old: StoredObject): FieldError[] {
    const ic = obj as unknown as IngressClass;
    const o = old as unknown as IngressClass;
    return [
      ...validateObjectMetaUpdate(ic.metadata, o.metadata, metadataPath),
      ...validateImmutableField(ic.spec?.controller, o.spec?.controller, spec.child('controller')),
      ...validateIngressClassSpec(ic),
    ];
  },
};
