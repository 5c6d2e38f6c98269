// Service validation after ValidateService, ValidateServiceUpdate and ValidateServiceStatusUpdate.
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldError } from '../../../machinery/field-errors.js';
import type { StoredObject } from '../../object.js';
import type { KindValidator } from '../kind-validator.js';
import { isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidPortNum, parsesAsIP, validateNameDNS1035Label } from '../names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../object-meta.js';
import { validatePortNumOrName } from './pod-spec.js';
import { validateDNS1123Label, validateDNS1123Subdomain } from './volumes.js';

const metaPath = FieldPath.root('metadata');
const specPath = FieldPath.root('spec');
const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function isHeadless(spec: ServiceSpec): boolean {
  const ips = spec.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
}

function externallyAccessible(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
}

function needsHealthCheck(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function isIPv6(ip: string): boolean {
  return parsesAsIP(ip) && ip.includes(':') && !/^::ffff:[0-9.]+$/i.test(ip);
}

/** ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(ip: string, path: FieldPath): FieldError[] {
  if (!parsesAsIP(ip)) return [fieldError.invalid(path, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const v4 = /^[0-9.]+$/.test(ip) ? ip.split('.').map(Number) : undefined;
  const lower = ip.toLowerCase();
  if ((v4 !== undefined && v4.every((n) => n === 0)) || lower === '::') errs.push(fieldError.invalid(path, ip, `may not be unspecified (${ip})`));
  if ((v4 !== undefined && v4[0] === 127) || lower === '::1') errs.push(fieldError.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if ((v4 !== undefined && v4[0] === 169 && v4[1] === 254) || /^fe[89ab]/.test(lower)) {
    errs.push(fieldError.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  if ((v4 !== undefined && v4[0] === 224 && v4[1] === 0 && v4[2] === 0) || /^ff02:/.test(lower)) {
    errs.push(fieldError.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && name === '') errs.push(fieldError.required(path.child('name')));
  else if (name !== '') {
    errs.push(...validateDNS1123Label(name, path.child('name')));
    if (names.has(name)) errs.push(fieldError.duplicate(path.child('name'), name));
    else names.add(name);
  }
  for (const m of isValidPortNum(sp.port ?? 0)) errs.push(fieldError.invalid(path.child('port'), sp.port ?? 0, m));
  const proto = sp.protocol ?? '';
  if (proto === '') errs.push(fieldError.required(path.child('protocol')));
  else if (!supportedPortProtocols.includes(proto)) errs.push(fieldError.notSupported(path.child('protocol'), proto, supportedPortProtocols));
  errs.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  if (sp.appProtocol !== undefined) for (const m of isQualifiedName(sp.appProtocol)) errs.push(fieldError.invalid(path.child('appProtocol'), sp.appProtocol, m));
  return errs;
}

function validateClusterIPsRelatedFields(spec: ServiceSpec): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIPsField = specPath.child('clusterIPs');
  const ips = spec.clusterIPs ?? [];
  if ((spec.clusterIP ?? '') !== '') {
    if (ips.length === 0) errs.push(fieldError.required(clusterIPsField));
    else if (ips[0] !== spec.clusterIP) errs.push(fieldError.invalid(clusterIPsField, ips, 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(fieldError.invalid(clusterIPsField, ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(fieldError.notSupported(specPath.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(fieldError.duplicate(specPath.child('ipFamilies').index(i), f));
    seen.add(f);
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(policy)) {
    errs.push(fieldError.notSupported(specPath.child('ipFamilyPolicy'), policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let invalid = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        invalid = true;
        errs.push(fieldError.invalid(clusterIPsField, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(ip);
    if (msgs.length > 0) invalid = true;
    for (const m of msgs) errs.push(fieldError.invalid(clusterIPsField.index(i), ip, m));
  });
  if (ips.length > 2) errs.push(fieldError.invalid(clusterIPsField, ips, 'may only hold up to 2 values'));
  if (invalid) return errs;
  if (ips.length > 1 && isIPv6(ips[0] ?? '') === isIPv6(ips[1] ?? '')) {
    errs.push(fieldError.invalid(clusterIPsField, ips, 'may specify no more than one IP for each IP family'));
  }
  const families = spec.ipFamilies ?? [];
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && isIPv6(ip)) errs.push(fieldError.invalid(clusterIPsField.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6(ip)) errs.push(fieldError.invalid(clusterIPsField.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, true, validateNameDNS1035Label, metaPath);
  const spec: ServiceSpec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(fieldError.required(specPath.child('ports')));
  switch (spec.type) {
    case 'LoadBalancer':
      if (isHeadless(spec)) errs.push(fieldError.invalid(specPath.child('clusterIPs').index(0), 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (isHeadless(spec)) errs.push(fieldError.invalid(specPath.child('clusterIPs').index(0), 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs ?? []).length > 0) errs.push(fieldError.forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
      if ((spec.ipFamilies ?? []).length > 0) errs.push(fieldError.forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(fieldError.forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname.length > 0) errs.push(...validateDNS1123Subdomain(cname, specPath.child('externalName')));
      else errs.push(fieldError.required(specPath.child('externalName')));
      break;
    }
    default:
      break;
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, specPath.child('ports').index(i))));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, specPath.child('selector')));
  const affinity = spec.sessionAffinity ?? '';
  if (affinity === '') errs.push(fieldError.required(specPath.child('sessionAffinity')));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(fieldError.notSupported(specPath.child('sessionAffinity'), affinity, ['ClientIP', 'None']));
  const cfgPath = specPath.child('sessionAffinityConfig');
  if (affinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    const when = 'when session affinity type is ClientIP';
    if (cfg === undefined || cfg === null) errs.push(fieldError.required(cfgPath, when));
    else if (cfg.clientIP === undefined) errs.push(fieldError.required(cfgPath.child('clientIP'), when));
    else if (cfg.clientIP.timeoutSeconds === undefined) errs.push(fieldError.required(cfgPath.child('clientIP', 'timeoutSeconds'), when));
    else if (cfg.clientIP.timeoutSeconds <= 0 || cfg.clientIP.timeoutSeconds > 86400) {
      errs.push(fieldError.invalid(cfgPath.child('clientIP', 'timeoutSeconds'), cfg.clientIP.timeoutSeconds, 'must be greater than 0 and less than 86400'));
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(fieldError.forbidden(cfgPath, 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(spec));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = specPath.child('externalIPs').index(i);
    const msgs = isValidIP(ip);
    if (msgs.length > 0) for (const m of msgs) errs.push(fieldError.invalid(p, ip, m));
    else errs.push(...validateNonSpecialIP(ip, p));
  });
  const type = spec.type ?? '';
  if (type === '') errs.push(fieldError.required(specPath.child('type')));
  else if (!serviceTypes.includes(type)) errs.push(fieldError.notSupported(specPath.child('type'), type, serviceTypes));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if ((p.nodePort ?? 0) !== 0) errs.push(fieldError.forbidden(specPath.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if ((p.nodePort ?? 0) === 0) return;
    const key = `${p.protocol ?? ''}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(fieldError.duplicate(specPath.child('ports').index(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port}`;
    if (portKeys.has(key)) errs.push(fieldError.duplicate(specPath.child('ports').index(i), { port: p.port, protocol: p.protocol ?? '' }));
    portKeys.add(key);
  });
  const ranges = spec.loadBalancerSourceRanges ?? [];
  const srcAnnotation = 'service.beta.kubernetes.io/load-balancer-source-ranges';
  if (ranges.length > 0) {
    const fp = specPath.child('LoadBalancerSourceRanges');
    if (type !== 'LoadBalancer') errs.push(fieldError.forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => isValidCIDR(r.trim()).forEach((m) => errs.push(fieldError.invalid(fp.index(i), r.trim(), m))));
  } else if (svc.metadata?.annotations?.[srcAnnotation] !== undefined) {
    const fp = metaPath.child('annotations').key(srcAnnotation);
    if (type !== 'LoadBalancer') errs.push(fieldError.forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    const val = (svc.metadata.annotations[srcAnnotation] ?? '').trim();
    if (val !== '') for (const c of val.split(',')) isValidCIDR(c.trim()).forEach((m) => errs.push(fieldError.invalid(fp, c.trim(), m)));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && type !== 'LoadBalancer') {
    errs.push(fieldError.forbidden(specPath.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    errs.push(fieldError.required(FieldPath.root('allocateLoadBalancerNodePorts')));
  }
  if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
    if (type === 'LoadBalancer') for (const m of isQualifiedName(spec.loadBalancerClass)) errs.push(fieldError.invalid(specPath.child('loadBalancerClass'), spec.loadBalancerClass, m));
    else errs.push(fieldError.forbidden(specPath.child('loadBalancerClass'), "may only be used when `type` is 'LoadBalancer'"));
  }
  const etp = spec.externalTrafficPolicy ?? '';
  if (!externallyAccessible(spec)) {
    if (etp !== '') errs.push(fieldError.invalid(specPath.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  } else if (etp === '') {
    errs.push(fieldError.required(specPath.child('externalTrafficPolicy')));
  } else if (etp !== 'Cluster' && etp !== 'Local') {
    errs.push(fieldError.notSupported(specPath.child('externalTrafficPolicy'), etp, ['Cluster', 'Local']));
  }
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) errs.push(fieldError.invalid(specPath.child('healthCheckNodePort'), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) {
    errs.push(fieldError.required(specPath.child('healthCheckNodePort')));
  } else {
    for (const m of isValidPortNum(hc)) errs.push(fieldError.invalid(specPath.child('healthCheckNodePort'), hc, m));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') errs.push(fieldError.required(specPath.child('internalTrafficPolicy')));
  } else if (itp !== 'Cluster' && itp !== 'Local') {
    errs.push(fieldError.notSupported(specPath.child('internalTrafficPolicy'), itp, ['Cluster', 'Local']));
  }
  const td = (spec as ServiceSpec & { trafficDistribution?: string }).trafficDistribution;
  if (td !== undefined && td !== null && td !== 'PreferClose') errs.push(fieldError.notSupported(specPath.child('trafficDistribution'), td, ['PreferClose']));
  return errs;
}

function validateUpgradeDowngrade(svc: ServiceSpec, old: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (svc.type === 'ExternalName' || old.type === 'ExternalName') return errs;
  const newIPs = svc.clusterIPs ?? [];
  const oldIPs = old.clusterIPs ?? [];
  const p = specPath.child('clusterIPs');
  if (!(isHeadless(svc) && isHeadless(old))) {
    if (oldIPs.length === newIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== newIPs[i]) errs.push(fieldError.invalid(p.index(i), newIPs, 'may not change once set'));
      });
    } else if (oldIPs.length > newIPs.length) {
      if (newIPs.length === 0) errs.push(fieldError.invalid(p.index(0), newIPs, 'primary clusterIP can not be unset'));
      if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) errs.push(fieldError.invalid(p.index(0), newIPs, 'may not change once set'));
      if (newIPs.length === 1 && svc.ipFamilyPolicy !== 'SingleStack') {
        errs.push(fieldError.invalid(specPath.child('ipFamilyPolicy'), svc.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
      errs.push(fieldError.invalid(p.index(0), newIPs, 'may not change once set'));
    }
  }
  if (isHeadless(svc) !== isHeadless(old) || isHeadless(svc)) return errs;
  const nf = svc.ipFamilies ?? [];
  const of = old.ipFamilies ?? [];
  const fp = specPath.child('ipFamilies').index(0);
  if (of.length === nf.length) {
    if (of.some((f, i) => f !== nf[i])) errs.push(fieldError.invalid(fp, nf, 'may not change once set'));
  } else if (of.length > nf.length) {
    if (newIPs.length === 0) errs.push(fieldError.invalid(fp, nf, 'primary ipFamily can not be unset'));
    if (nf.length > 0 && nf[0] !== of[0]) errs.push(fieldError.invalid(fp, newIPs, 'may not change once set'));
    if (nf.length === 1 && svc.ipFamilyPolicy !== 'SingleStack') {
      errs.push(fieldError.invalid(specPath.child('ipFamilyPolicy'), svc.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (of.length > 0 && nf.length > 0 && nf[0] !== of[0]) {
    errs.push(fieldError.invalid(fp, newIPs, 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, metaPath);
  const spec = svc.spec ?? {};
  const oldSpec = old.spec ?? {};
  errs.push(...validateUpgradeDowngrade(spec, oldSpec));
  if (spec.type === 'LoadBalancer' && oldSpec.type === 'LoadBalancer' && (spec.loadBalancerClass ?? null) !== (oldSpec.loadBalancerClass ?? null)) {
    errs.push(fieldError.invalid(specPath.child('loadBalancerClass'), spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && spec.healthCheckNodePort !== oldSpec.healthCheckNodePort) {
    errs.push(fieldError.forbidden(specPath.child('healthCheckNodePort'), 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}

export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, metaPath);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const ingPath = FieldPath.root('status', 'loadBalancer', 'ingress');
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length !== 0) {
    errs.push(fieldError.forbidden(ingPath, "may only be used when `spec.type` is 'LoadBalancer'"));
    return errs;
  }
  ingress.forEach((ing, i) => {
    const p = ingPath.index(i);
    if ((ing.ip ?? '') !== '') for (const m of isValidIP(ing.ip ?? '')) errs.push(fieldError.invalid(p.child('ip'), ing.ip, m));
    if (ing.ipMode !== undefined && (ing.ip ?? '') === '') errs.push(fieldError.forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    else if (ing.ipMode !== undefined && ing.ipMode !== 'VIP' && ing.ipMode !== 'Proxy') errs.push(fieldError.notSupported(p.child('ipMode'), ing.ipMode, ['Proxy', 'VIP']));
    else if (ing.ipMode === undefined && (ing.ip ?? '') !== '') errs.push(fieldError.required(p.child('ipMode'), 'must be specified when `ip` is set'));
    const host = ing.hostname ?? '';
    if (host !== '') {
      for (const m of isDNS1123Subdomain(host)) errs.push(fieldError.invalid(p.child('hostname'), host, m));
      if (parsesAsIP(host)) errs.push(fieldError.invalid(p.child('hostname'), host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

function asService(obj: StoredObject): Service {
  return obj as unknown as Service;
}

export const serviceValidator: KindValidator = {
  create: (obj) => validateService(asService(obj)),
  update: (obj, old) => validateServiceUpdate(asService(obj), asService(old)),
  statusUpdate: (obj, old) => validateServiceStatusUpdate(asService(obj), asService(old)),
};
