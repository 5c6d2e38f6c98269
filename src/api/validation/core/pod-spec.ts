// PodSpec and PodTemplateSpec validation after ValidatePodSpec/ValidatePodTemplateSpec and
// ValidatePodUpdate of pkg/apis/core/validation (v1.32), on the v1 JSON shape.
import type {
  Affinity,
  Container,
  ContainerPort,
  EnvFromSource,
  EnvVar,
  Lifecycle,
  LifecycleHandler,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinityTerm,
  PodSecurityContext,
  PodSpec,
  PodTemplateSpec,
  Probe,
  SecurityContext,
  Toleration,
  TopologySpreadConstraint,
  Volume,
  VolumeDevice,
  VolumeMount,
  WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { type FieldError, type FieldPath, fieldError } from '../../../machinery/field-errors.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  inclusiveRangeError,
  isValidGroupID,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  isValidUserID,
  validateNameDNSSubdomain,
} from '../names.js';
import { validateAnnotations, validateLabelName, validateLabelSelector, validateLabels, validateNonnegativeField } from '../object-meta.js';
import { validateContainerResourceRequirements } from './resource-names.js';
import { semanticEqual } from './semantic-equal.js';
import {
  validateContainerResourceFieldSelector,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLocalDescendingPath,
  validateObjectFieldSelector,
  validatePathNoBacksteps,
  type VolumeValidationOptions,
  validateVolumes,
} from './volumes.js';
import { cloneJson } from '../../conversion/json-record.js';

export interface PodValidationOptions extends VolumeValidationOptions {
  /** The top-level object is a Pod (not a template embedded in a workload). */
  resourceIsPod?: boolean;
  allowInvalidLabelValueInSelector?: boolean;
  allowInvalidTopologySpreadConstraintLabelSelector?: boolean;
  allowInvalidLabelValueInRequiredNodeAffinity?: boolean;
  /** RelaxedEnvironmentVariableValidation (beta, on by default in v1.32). */
  allowRelaxedEnvironmentVariableValidation?: boolean;
  allowPodLifecycleSleepActionZeroValue?: boolean;
  allowSidecarResizePolicy?: boolean;
}

const defaultOptions: PodValidationOptions = { allowRelaxedEnvironmentVariableValidation: true };

const maxInt32 = 2147483647;

const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: readonly ContainerPort[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const idx = path.index(i);
    const name = port.name ?? '';
    if (name.length > 0) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) errs.push(fieldError.invalid(idx.child('name'), name, m));
      else if (names.has(name)) errs.push(fieldError.duplicate(idx.child('name'), name));
      else names.add(name);
    }
    const cp = port.containerPort ?? 0;
    if (cp === 0) errs.push(fieldError.required(idx.child('containerPort')));
    else for (const m of isValidPortNum(cp)) errs.push(fieldError.invalid(idx.child('containerPort'), cp, m));
    const hp = port.hostPort ?? 0;
    if (hp !== 0) for (const m of isValidPortNum(hp)) errs.push(fieldError.invalid(idx.child('hostPort'), hp, m));
    const proto = port.protocol ?? '';
    if (proto === '') errs.push(fieldError.required(idx.child('protocol')));
    else if (!supportedPortProtocols.includes(proto)) errs.push(fieldError.notSupported(idx.child('protocol'), proto, supportedPortProtocols));
  });
  return errs;
}

const validEnvDownwardAPIFieldPaths = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs',
  'status.podIP', 'status.podIPs',
];

function envNameErrors(name: string, opts: PodValidationOptions): string[] {
  return opts.allowRelaxedEnvironmentVariableValidation === true ? isRelaxedEnvVarName(name) : isEnvVarName(name);
}

function validateKeySelector(s: { name?: string; key?: string }, path: FieldPath): FieldError[] {
  const errs = validateNameDNSSubdomain(s.name ?? '', false).map((m) => fieldError.invalid(path.child('name'), s.name ?? '', m));
  const key = s.key ?? '';
  if (key === '') errs.push(fieldError.required(path.child('key')));
  else for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid(path.child('key'), key, m));
  return errs;
}

export function validateEnv(vars: readonly EnvVar[] | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const idx = path.index(i);
    const name = ev.name ?? '';
    if (name === '') errs.push(fieldError.required(idx.child('name')));
    else for (const m of envNameErrors(name, opts)) errs.push(fieldError.invalid(idx.child('name'), name, m));
    const vf = ev.valueFrom;
    if (vf === undefined || vf === null) return;
    const p = idx.child('valueFrom');
    let n = 0;
    if (vf.fieldRef !== undefined) {
      n++;
      errs.push(...validateObjectFieldSelector(vf.fieldRef, validEnvDownwardAPIFieldPaths, p.child('fieldRef')));
    }
    if (vf.resourceFieldRef !== undefined) {
      n++;
      errs.push(...validateContainerResourceFieldSelector(vf.resourceFieldRef, p.child('resourceFieldRef'), false));
    }
    if (vf.configMapKeyRef !== undefined) {
      n++;
      errs.push(...validateKeySelector(vf.configMapKeyRef, p.child('configMapKeyRef')));
    }
    if (vf.secretKeyRef !== undefined) {
      n++;
      errs.push(...validateKeySelector(vf.secretKeyRef, p.child('secretKeyRef')));
    }
    if (n === 0) errs.push(fieldError.invalid(p, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if ((ev.value ?? '') !== '') errs.push(fieldError.invalid(p, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(fieldError.invalid(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

export function validateEnvFrom(vars: readonly EnvFromSource[] | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const idx = path.index(i);
    const prefix = ev.prefix ?? '';
    if (prefix.length > 0) for (const m of envNameErrors(prefix, opts)) errs.push(fieldError.invalid(idx.child('prefix'), prefix, m));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = ev[kind];
      if (ref === undefined || ref === null) continue;
      n++;
      const name = ref.name ?? '';
      if (name === '') errs.push(fieldError.required(idx.child(kind, 'name')));
      else for (const m of validateNameDNSSubdomain(name, true)) errs.push(fieldError.invalid(idx.child(kind, 'name'), name, m));
    }
    if (n === 0) errs.push(fieldError.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(fieldError.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(
  mounts: readonly VolumeMount[] | undefined,
  devices: ReadonlyMap<string, string>,
  volumes: ReadonlyMap<string, Volume>,
  ctr: Container,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountpoints = new Set<string>();
  const devicePaths = new Set(devices.values());
  (mounts ?? []).forEach((mnt, i) => {
    const idx = path.index(i);
    const name = mnt.name ?? '';
    const mountPath = mnt.mountPath ?? '';
    if (name === '') errs.push(fieldError.required(idx.child('name')));
    if (!volumes.has(name)) errs.push(fieldError.notFound(idx.child('name'), name));
    if (mountPath === '') errs.push(fieldError.required(idx.child('mountPath')));
    if (mountpoints.has(mountPath)) errs.push(fieldError.invalid(idx.child('mountPath'), mountPath, 'must be unique'));
    mountpoints.add(mountPath);
    if (devices.has(name)) errs.push(fieldError.invalid(idx.child('name'), name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath)) errs.push(fieldError.invalid(idx.child('mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    const vol = volumes.get(name);
    if ((vol as (Volume & { image?: unknown }) | undefined)?.image !== undefined) {
      if ((mnt.subPath ?? '') !== '') errs.push(fieldError.invalid(idx.child('subPath'), mnt.subPath, 'not allowed in image volume sources'));
      if ((mnt.subPathExpr ?? '') !== '') errs.push(fieldError.invalid(idx.child('subPathExpr'), mnt.subPathExpr, 'not allowed in image volume sources'));
    }
    if ((mnt.subPath ?? '') !== '') errs.push(...validateLocalDescendingPath(mnt.subPath ?? '', path.child('subPath')));
    if ((mnt.subPathExpr ?? '') !== '') {
      if ((mnt.subPath ?? '') !== '') errs.push(fieldError.invalid(idx.child('subPathExpr'), mnt.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(mnt.subPathExpr ?? '', path.child('subPathExpr')));
    }
    if (mnt.mountPropagation !== undefined) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(mnt.mountPropagation)) errs.push(fieldError.notSupported(path.child('mountPropagation'), mnt.mountPropagation, supported));
      if (mnt.mountPropagation === 'Bidirectional' && ctr.securityContext?.privileged !== true) {
        errs.push(fieldError.forbidden(path.child('mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    if (mnt.recursiveReadOnly !== undefined) {
      const rp = path.child('recursiveReadOnly');
      if (mnt.recursiveReadOnly === 'Enabled' || mnt.recursiveReadOnly === 'IfPossible') {
        if (mnt.readOnly !== true) errs.push(fieldError.forbidden(rp, 'may only be specified when readOnly is true'));
        if (mnt.mountPropagation !== undefined && mnt.mountPropagation !== 'None') {
          errs.push(fieldError.forbidden(rp, 'may only be specified when mountPropagation is None or not specified'));
        }
      } else if (mnt.recursiveReadOnly !== 'Disabled') {
        errs.push(fieldError.notSupported(rp, mnt.recursiveReadOnly, ['Disabled', 'Enabled', 'IfPossible']));
      }
    }
  });
  return errs;
}

function validateVolumeDevices(
  devices: readonly VolumeDevice[] | undefined,
  mounts: ReadonlyMap<string, string>,
  volumes: ReadonlyMap<string, Volume>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  const mountPaths = new Set(mounts.values());
  (devices ?? []).forEach((dev, i) => {
    const idx = path.index(i);
    const name = dev.name ?? '';
    const devPath = dev.devicePath ?? '';
    const vol = volumes.get(name);
    const isPVC = vol !== undefined && (vol.persistentVolumeClaim !== undefined || vol.ephemeral !== undefined);
    if (name === '') errs.push(fieldError.required(idx.child('name')));
    if (names.has(name)) errs.push(fieldError.invalid(idx.child('name'), name, 'must be unique'));
    if (vol !== undefined && !isPVC) errs.push(fieldError.invalid(idx.child('name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    if (vol === undefined) errs.push(fieldError.notFound(idx.child('name'), name));
    if (devPath === '') errs.push(fieldError.required(idx.child('devicePath')));
    if (paths.has(devPath)) errs.push(fieldError.invalid(idx.child('devicePath'), devPath, 'must be unique'));
    if (devPath !== '' && validatePathNoBacksteps(devPath, path.child('devicePath')).length > 0) {
      errs.push(fieldError.invalid(idx.child('devicePath'), devPath, "can not contain backsteps ('..')"));
    } else {
      paths.add(devPath);
    }
    if (mounts.has(name)) errs.push(fieldError.invalid(idx.child('name'), name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devPath)) errs.push(fieldError.invalid(idx.child('devicePath'), devPath, 'must not already exist as a path in volumeMounts'));
    if (name !== '') names.add(name);
  });
  return errs;
}

function validatePortNumOrName(port: number | string | undefined, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldError.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldError.invalid(path, port, m));
  return isValidPortNum(0).map((m) => fieldError.invalid(path, 0, m));
}

export { validatePortNumOrName };

interface CommonHandler {
  exec?: { command?: string[] };
  httpGet?: LifecycleHandler['httpGet'];
  tcpSocket?: LifecycleHandler['tcpSocket'];
  grpc?: { port?: number };
  sleep?: { seconds?: number };
}

function validateHandler(h: CommonHandler, gracePeriod: number | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const one = (key: string, fn: () => FieldError[]): void => {
    if (n > 0) {
      errs.push(fieldError.forbidden(path.child(key), 'may not specify more than 1 handler type'));
      return;
    }
    n++;
    errs.push(...fn());
  };
  if (h.exec !== undefined) one('exec', () => ((h.exec?.command ?? []).length === 0 ? [fieldError.required(path.child('exec', 'command'))] : []));
  if (h.httpGet !== undefined) {
    const g = h.httpGet;
    one('httpGet', () => {
      const e: FieldError[] = [];
      const p = path.child('httpGet');
      if ((g.path ?? '') === '') e.push(fieldError.required(p.child('path')));
      e.push(...validatePortNumOrName(g.port, p.child('port')));
      const scheme = g.scheme ?? '';
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') e.push(fieldError.notSupported(p.child('scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const hd of g.httpHeaders ?? []) for (const m of isHTTPHeaderName(hd.name ?? '')) e.push(fieldError.invalid(p.child('httpHeaders'), hd.name ?? '', m));
      return e;
    });
  }
  if (h.tcpSocket !== undefined) {
    const t = h.tcpSocket;
    one('tcpSocket', () => validatePortNumOrName(t.port, path.child('tcpSocket', 'port')));
  }
  if (h.grpc !== undefined) {
    const g = h.grpc;
    one('grpc', () => validatePortNumOrName(g.port ?? 0, path.child('grpc', 'port')));
  }
  if (h.sleep !== undefined) {
    const s = h.sleep.seconds ?? 0;
    one('sleep', () => {
      if (gracePeriod === undefined) return [];
      if (opts.allowPodLifecycleSleepActionZeroValue === true) {
        return s < 0 || s > gracePeriod ? [fieldError.invalid(path.child('sleep'), s, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`)] : [];
      }
      return s <= 0 || s > gracePeriod
        ? [
            fieldError.invalid(
              path.child('sleep'),
              s,
              `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
            ),
          ]
        : [];
    });
  }
  if (n === 0) errs.push(fieldError.required(path, 'must specify a handler type'));
  return errs;
}

function validateLifecycle(lc: Lifecycle, gracePeriod: number | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (lc.postStart !== undefined) errs.push(...validateHandler(lc.postStart, gracePeriod, path.child('postStart'), opts));
  if (lc.preStop !== undefined) errs.push(...validateHandler(lc.preStop, gracePeriod, path.child('preStop'), opts));
  return errs;
}

function validateProbe(probe: Probe, gracePeriod: number | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs = validateHandler({ exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, grpc: probe.grpc }, gracePeriod, path, opts);
  errs.push(...validateNonnegativeField(probe.initialDelaySeconds ?? 0, path.child('initialDelaySeconds')));
  errs.push(...validateNonnegativeField(probe.timeoutSeconds ?? 0, path.child('timeoutSeconds')));
  errs.push(...validateNonnegativeField(probe.periodSeconds ?? 0, path.child('periodSeconds')));
  errs.push(...validateNonnegativeField(probe.successThreshold ?? 0, path.child('successThreshold')));
  errs.push(...validateNonnegativeField(probe.failureThreshold ?? 0, path.child('failureThreshold')));
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(fieldError.invalid(path.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateProbes(ctr: Container, gracePeriod: number | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (ctr.livenessProbe !== undefined) {
    errs.push(...validateProbe(ctr.livenessProbe, gracePeriod, path.child('livenessProbe'), opts));
    if ((ctr.livenessProbe.successThreshold ?? 0) !== 1) {
      errs.push(fieldError.invalid(path.child('livenessProbe', 'successThreshold'), ctr.livenessProbe.successThreshold ?? 0, 'must be 1'));
    }
  }
  if (ctr.readinessProbe !== undefined) {
    errs.push(...validateProbe(ctr.readinessProbe, gracePeriod, path.child('readinessProbe'), opts));
    if (ctr.readinessProbe.terminationGracePeriodSeconds !== undefined) {
      errs.push(
        fieldError.invalid(path.child('readinessProbe', 'terminationGracePeriodSeconds'), ctr.readinessProbe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'),
      );
    }
  }
  if (ctr.startupProbe !== undefined) {
    errs.push(...validateProbe(ctr.startupProbe, gracePeriod, path.child('startupProbe'), opts));
    if ((ctr.startupProbe.successThreshold ?? 0) !== 1) {
      errs.push(fieldError.invalid(path.child('startupProbe', 'successThreshold'), ctr.startupProbe.successThreshold ?? 0, 'must be 1'));
    }
  }
  return errs;
}

function validatePullPolicy(policy: string | undefined, path: FieldPath): FieldError[] {
  const p = policy ?? '';
  if (p === 'Always' || p === 'IfNotPresent' || p === 'Never') return [];
  if (p === '') return [fieldError.required(path)];
  return [fieldError.notSupported(path, p, ['Always', 'IfNotPresent', 'Never'])];
}

function validateSeccompProfile(sp: { type?: string; localhostProfile?: string } | undefined, path: FieldPath): FieldError[] {
  if (sp === undefined) return [];
  const errs: FieldError[] = [];
  const t = sp.type ?? '';
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (t === '') errs.push(fieldError.required(path.child('type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(t)) errs.push(fieldError.notSupported(path.child('type'), t, types));
  if (t === 'Localhost') {
    if (sp.localhostProfile === undefined) errs.push(fieldError.required(path.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, path.child('localhostProfile')));
  } else if (sp.localhostProfile !== undefined) {
    errs.push(fieldError.invalid(path.child('localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateAppArmorProfile(p: { type?: string; localhostProfile?: string } | undefined, path: FieldPath): FieldError[] {
  if (p === undefined) return [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  switch (p.type ?? '') {
    case 'Localhost':
      if (p.localhostProfile === undefined || p.localhostProfile.trim() === '') {
        return [fieldError.required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
      }
      if (p.localhostProfile.trim() !== p.localhostProfile) return [fieldError.invalid(path.child('localhostProfile'), p.localhostProfile, 'must not be padded with whitespace')];
      return [];
    case 'RuntimeDefault':
    case 'Unconfined':
      return p.localhostProfile !== undefined ? [fieldError.invalid(path.child('localhostProfile'), p.localhostProfile, 'can only be set when AppArmor type is Localhost')] : [];
    case '':
      return [fieldError.required(path.child('type'), 'type is required when appArmorProfile is set')];
    default:
      return [fieldError.notSupported(path.child('type'), p.type, types)];
  }
}

export function validateSecurityContext(sc: SecurityContext | undefined, path: FieldPath, hostUsers: boolean): FieldError[] {
  if (sc === undefined || sc === null) return [];
  const errs: FieldError[] = [];
  if (sc.runAsUser !== undefined) for (const m of isValidUserID(sc.runAsUser)) errs.push(fieldError.invalid(path.child('runAsUser'), sc.runAsUser, m));
  if (sc.runAsGroup !== undefined) for (const m of isValidGroupID(sc.runAsGroup)) errs.push(fieldError.invalid(path.child('runAsGroup'), sc.runAsGroup, m));
  if (sc.procMount !== undefined) {
    if (sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') errs.push(fieldError.notSupported(path.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
    if (hostUsers && sc.procMount === 'Unmasked') errs.push(fieldError.invalid(path.child('procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(fieldError.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(fieldError.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  return errs;
}

function validateContainerCommon(
  ctr: Container,
  volumes: ReadonlyMap<string, Volume>,
  podClaimNames: ReadonlySet<string>,
  path: FieldPath,
  opts: PodValidationOptions,
  podRestartPolicy: string,
  hostUsers: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = ctr.name ?? '';
  if (name === '') errs.push(fieldError.required(path.child('name')));
  else errs.push(...validateDNS1123Label(name, path.child('name')));
  if ((ctr.image ?? '') === '') errs.push(fieldError.required(path.child('image')));
  const tmp = ctr.terminationMessagePolicy ?? '';
  if (tmp === '') errs.push(fieldError.required(path.child('terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(fieldError.notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  const mounts = new Map((ctr.volumeMounts ?? []).map((m) => [m.name, m.mountPath] as const));
  const devices = new Map((ctr.volumeDevices ?? []).map((d) => [d.name, d.devicePath] as const));
  errs.push(...validateContainerPorts(ctr.ports, path.child('ports')));
  errs.push(...validateEnv(ctr.env, path.child('env'), opts));
  errs.push(...validateEnvFrom(ctr.envFrom, path.child('envFrom'), opts));
  errs.push(...validateVolumeMounts(ctr.volumeMounts, devices, volumes, ctr, path.child('volumeMounts')));
  errs.push(...validateVolumeDevices(ctr.volumeDevices, mounts, volumes, path.child('volumeDevices')));
  errs.push(...validatePullPolicy(ctr.imagePullPolicy, path.child('imagePullPolicy')));
  errs.push(...validateContainerResourceRequirements(ctr.resources, podClaimNames, path.child('resources')));
  const resources = new Set<string>();
  (ctr.resizePolicy ?? []).forEach((p, i) => {
    const rp = path.child('resizePolicy');
    if (resources.has(p.resourceName)) errs.push(fieldError.duplicate(rp.index(i), p.resourceName));
    resources.add(p.resourceName);
    if (p.resourceName === '') errs.push(fieldError.required(rp));
    else if (p.resourceName !== 'cpu' && p.resourceName !== 'memory') errs.push(fieldError.notSupported(rp, p.resourceName, ['cpu', 'memory']));
    if (p.restartPolicy === '') errs.push(fieldError.required(rp));
    else if (p.restartPolicy !== 'NotRequired' && p.restartPolicy !== 'RestartContainer') errs.push(fieldError.notSupported(rp, p.restartPolicy, ['NotRequired', 'RestartContainer']));
    if (podRestartPolicy === 'Never' && p.restartPolicy !== 'NotRequired') errs.push(fieldError.invalid(rp, p.restartPolicy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  });
  errs.push(...validateSecurityContext(ctr.securityContext, path.child('securityContext'), hostUsers));
  return errs;
}

function checkHostPortConflicts(containers: readonly Container[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((ctr, ci) => {
    (ctr.ports ?? []).forEach((port, pi) => {
      const hp = port.hostPort ?? 0;
      if (hp === 0) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${hp}`;
      if (seen.has(key)) errs.push(fieldError.duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateContainers(
  containers: readonly Container[] | undefined,
  volumes: ReadonlyMap<string, Volume>,
  podClaimNames: ReadonlySet<string>,
  gracePeriod: number | undefined,
  path: FieldPath,
  opts: PodValidationOptions,
  podRestartPolicy: string,
  hostUsers: boolean,
): FieldError[] {
  const list = containers ?? [];
  if (list.length === 0) return [fieldError.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((ctr, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(ctr, volumes, podClaimNames, p, opts, podRestartPolicy, hostUsers));
    if (names.has(ctr.name)) errs.push(fieldError.duplicate(p.child('name'), ctr.name));
    else names.add(ctr.name);
    if (ctr.lifecycle !== undefined) errs.push(...validateLifecycle(ctr.lifecycle, gracePeriod, p.child('lifecycle'), opts));
    errs.push(...validateProbes(ctr, gracePeriod, p, opts));
    if (ctr.restartPolicy !== undefined) errs.push(fieldError.forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(list, path));
  return errs;
}

function validateInitContainers(
  containers: readonly Container[] | undefined,
  regular: readonly Container[] | undefined,
  volumes: ReadonlyMap<string, Volume>,
  podClaimNames: ReadonlySet<string>,
  gracePeriod: number | undefined,
  path: FieldPath,
  opts: PodValidationOptions,
  podRestartPolicy: string,
  hostUsers: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (containers ?? []).forEach((ctr, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(ctr, volumes, podClaimNames, p, opts, podRestartPolicy, hostUsers));
    let restartAlways = false;
    if (ctr.restartPolicy !== undefined) {
      if (ctr.restartPolicy !== 'Always') errs.push(fieldError.notSupported(p.child('restartPolicy'), ctr.restartPolicy, ['Always']));
      restartAlways = ctr.restartPolicy === 'Always';
    }
    if (names.has(ctr.name)) errs.push(fieldError.duplicate(p.child('name'), ctr.name));
    else if ((ctr.name ?? '') !== '') names.add(ctr.name);
    errs.push(...checkHostPortConflicts([ctr], path));
    if (restartAlways) {
      if (ctr.lifecycle !== undefined) errs.push(...validateLifecycle(ctr.lifecycle, gracePeriod, p.child('lifecycle'), opts));
      errs.push(...validateProbes(ctr, gracePeriod, p, opts));
    } else {
      const msg = 'may not be set for init containers without restartPolicy=Always';
      if (ctr.lifecycle !== undefined) errs.push(fieldError.forbidden(p.child('lifecycle'), msg));
      if (ctr.livenessProbe !== undefined) errs.push(fieldError.forbidden(p.child('livenessProbe'), msg));
      if (ctr.readinessProbe !== undefined) errs.push(fieldError.forbidden(p.child('readinessProbe'), msg));
      if (ctr.startupProbe !== undefined) errs.push(fieldError.forbidden(p.child('startupProbe'), msg));
    }
    if (opts.allowSidecarResizePolicy !== true && (ctr.resizePolicy ?? []).length > 0) {
      errs.push(fieldError.invalid(p.child('resizePolicy'), ctr.resizePolicy, 'must not be set for init containers'));
    }
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: NodeSelectorRequirement, allowInvalidValue: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = rq.values ?? [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldError.required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldError.forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(fieldError.required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldError.invalid(path.child('operator'), rq.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(rq.key, path.child('key')));
  if (!allowInvalidValue) values.forEach((v, i) => isValidLabelValue(v).forEach((m) => errs.push(fieldError.invalid(path.child('values').index(i), v, m))));
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, allowInvalidValue: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, allowInvalidValue, path.child('matchExpressions').index(j))));
  (term.matchFields ?? []).forEach((r, j) => {
    const p = path.child('matchFields').index(j);
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if ((r.values ?? []).length !== 1) errs.push(fieldError.required(p.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(fieldError.invalid(p.child('operator'), r.operator, 'not a valid selector operator'));
    }
    if (r.key !== 'metadata.name') errs.push(fieldError.invalid(p.child('key'), r.key, 'not a valid field selector key'));
    else (r.values ?? []).forEach((v, i) => validateNameDNSSubdomain(v, false).forEach((m) => errs.push(fieldError.invalid(p.child('values').index(i), v, m))));
  });
  return errs;
}

export function validateNodeSelector(ns: NodeSelector, allowInvalidValue: boolean, path: FieldPath): FieldError[] {
  const terms = ns.nodeSelectorTerms ?? [];
  const termPath = path.child('nodeSelectorTerms');
  if (terms.length === 0) return [fieldError.required(termPath, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, allowInvalidValue, termPath.index(i)));
}

function validateLabelKeys(path: FieldPath, keys: readonly string[] | undefined, selector: unknown): FieldError[] {
  if ((keys ?? []).length === 0) return [];
  if (selector === undefined || selector === null) return [fieldError.forbidden(path, 'must not be specified when labelSelector is not set')];
  return (keys ?? []).flatMap((k, i) => validateLabelName(k, path.index(i)));
}

function validatePodAffinityTerm(term: PodAffinityTerm, allowInvalid: boolean, path: FieldPath): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, path.child('labelSelector'), { allowInvalidLabelValueInSelector: allowInvalid });
  errs.push(...validateLabelSelector(term.namespaceSelector, path.child('namespaceSelector'), { allowInvalidLabelValueInSelector: allowInvalid }));
  for (const ns of term.namespaces ?? []) {
    for (const m of isDNS1123Label(ns)) errs.push(fieldError.invalid(path.child('namespace'), ns, m));
  }
  errs.push(...validateLabelKeys(path.child('matchLabelKeys'), term.matchLabelKeys, term.labelSelector));
  errs.push(...validateLabelKeys(path.child('mismatchLabelKeys'), term.mismatchLabelKeys, term.labelSelector));
  const mismatch = new Set(term.mismatchLabelKeys ?? []);
  (term.matchLabelKeys ?? []).forEach((k, i) => {
    if (mismatch.has(k)) errs.push(fieldError.invalid(path.child('matchLabelKeys').index(i), k, 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
  if ((term.topologyKey ?? '') === '') errs.push(fieldError.required(path.child('topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(term.topologyKey ?? '', path.child('topologyKey')));
  return errs;
}


function validateWeightedTerms(terms: readonly WeightedPodAffinityTerm[], allowInvalid: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  terms.forEach((t, j) => {
    if (t.weight <= 0 || t.weight > 100) errs.push(fieldError.invalid(path.index(j).child('weight'), t.weight, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(t.podAffinityTerm, allowInvalid, path.index(j).child('podAffinityTerm')));
  });
  return errs;
}

function validateAffinity(affinity: Affinity | undefined, opts: PodValidationOptions, path: FieldPath): FieldError[] {
  if (affinity === undefined || affinity === null) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na !== undefined) {
    const p = path.child('nodeAffinity');
    if (na.requiredDuringSchedulingIgnoredDuringExecution !== undefined) {
      errs.push(
        ...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, opts.allowInvalidLabelValueInRequiredNodeAffinity === true, p.child('requiredDuringSchedulingIgnoredDuringExecution')),
      );
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (t.weight <= 0 || t.weight > 100) errs.push(fieldError.invalid(tp.child('weight'), t.weight, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(t.preference, true, tp.child('preference')));
    });
  }
  const allowInvalid = opts.allowInvalidLabelValueInSelector === true;
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const a = affinity[kind];
    if (a === undefined) continue;
    const p = path.child(kind);
    (a.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, allowInvalid, p.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))),
    );
    errs.push(...validateWeightedTerms(a.preferredDuringSchedulingIgnoredDuringExecution ?? [], allowInvalid, p.child('preferredDuringSchedulingIgnoredDuringExecution')));
  }
  return errs;
}

export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: FieldPath): FieldError[] {
  const e = effect ?? '';
  if (!allowEmpty && e === '') return [fieldError.required(path)];
  if (e === 'NoSchedule' || e === 'PreferNoSchedule' || e === 'NoExecute') return [];
  return [fieldError.notSupported(path, e, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'])];
}

export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const idx = path.index(i);
    const key = t.key ?? '';
    const op = t.operator ?? '';
    if (key.length > 0) errs.push(...validateLabelName(key, idx.child('key')));
    if (key.length === 0 && op !== 'Exists') {
      errs.push(fieldError.invalid(idx.child('operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(fieldError.invalid(idx.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (op) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length > 0) errs.push(fieldError.invalid(idx.child('operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if ((t.value ?? '') !== '') errs.push(fieldError.invalid(idx.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldError.notSupported(idx.child('operator'), op, ['Equal', 'Exists']));
    }
    if ((t.effect ?? '') !== '') errs.push(...validateTaintEffect(t.effect, true, idx.child('effect')));
  });
  return errs;
}

function validateTopologySpreadConstraints(constraints: readonly TopologySpreadConstraint[] | undefined, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints ?? [];
  list.forEach((c, i) => {
    const p = path.index(i);
    if ((c.maxSkew ?? 0) <= 0) errs.push(fieldError.invalid(p.child('maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if ((c.topologyKey ?? '') === '') errs.push(fieldError.required(p.child('topologyKey'), 'can not be empty'));
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      errs.push(fieldError.notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    }
    for (const rest of list.slice(i + 1)) {
      if (rest.topologyKey === c.topologyKey && rest.whenUnsatisfiable === c.whenUnsatisfiable) {
        errs.push(fieldError.duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
        break;
      }
    }
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0) errs.push(fieldError.invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(fieldError.invalid(p.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable ?? ''}`));
      }
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[f];
      if (v !== undefined && v !== 'Honor' && v !== 'Ignore') errs.push(fieldError.notSupported(p.child(f), v, ['Honor', 'Ignore']));
    }
    const keys = c.matchLabelKeys ?? [];
    if (keys.length > 0) {
      const mp = p.child('matchLabelKeys');
      const selKeys = new Set<string>();
      if (c.labelSelector !== undefined) {
        for (const k of Object.keys(c.labelSelector.matchLabels ?? {})) selKeys.add(k);
        for (const e of c.labelSelector.matchExpressions ?? []) selKeys.add(e.key);
      } else {
        errs.push(fieldError.forbidden(mp, 'must not be specified when labelSelector is not set'));
      }
      keys.forEach((k, j) => {
        errs.push(...validateLabelName(k, mp.index(j)));
        if (selKeys.has(k)) errs.push(fieldError.invalid(mp.index(j), k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    if (opts.allowInvalidTopologySpreadConstraintLabelSelector !== true) errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

const sysctlSegmentFmt = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const sysctlFmt = `(${sysctlSegmentFmt}[\\./])*${sysctlSegmentFmt}`;
const sysctlRegexp = new RegExp(`^${sysctlFmt}$`);

function validatePodSecurityContext(sc: PodSecurityContext | undefined, spec: PodSpec, path: FieldPath): FieldError[] {
  if (sc === undefined || sc === null) return [];
  const errs: FieldError[] = [];
  if (sc.fsGroup !== undefined) for (const m of isValidGroupID(sc.fsGroup)) errs.push(fieldError.invalid(path.child('fsGroup'), sc.fsGroup, m));
  if (sc.runAsUser !== undefined) for (const m of isValidUserID(sc.runAsUser)) errs.push(fieldError.invalid(path.child('runAsUser'), sc.runAsUser, m));
  if (sc.runAsGroup !== undefined) for (const m of isValidGroupID(sc.runAsGroup)) errs.push(fieldError.invalid(path.child('runAsGroup'), sc.runAsGroup, m));
  (sc.supplementalGroups ?? []).forEach((g, i) => isValidGroupID(g).forEach((m) => errs.push(fieldError.invalid(path.child('supplementalGroups').index(i), g, m))));
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(fieldError.invalid(path.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  const names = new Set<string>();
  (sc.sysctls ?? []).forEach((s, i) => {
    const p = path.child('sysctls').index(i).child('name');
    if ((s.name ?? '') === '') errs.push(fieldError.required(p));
    else if (s.name.length > 253 || !sysctlRegexp.test(s.name)) errs.push(fieldError.invalid(p, s.name, `must have at most 253 characters and match regex ^${sysctlFmt}$`));
    else if (names.has(s.name)) errs.push(fieldError.duplicate(p, s.name));
    if (spec.hostNetwork === true && (s.name.startsWith('net.') || s.name.startsWith('net/'))) errs.push(fieldError.invalid(p, s.name, "may not be specified when 'hostNetwork' is true"));
    if (spec.hostIPC === true && (s.name.startsWith('kernel.shm') || s.name.startsWith('kernel.msg') || s.name.startsWith('kernel.sem') || s.name.startsWith('fs.mqueue.'))) {
      errs.push(fieldError.invalid(p, s.name, "may not be specified when 'hostIPC' is true"));
    }
    names.add(s.name);
  });
  if (sc.fsGroupChangePolicy !== undefined && sc.fsGroupChangePolicy !== 'OnRootMismatch' && sc.fsGroupChangePolicy !== 'Always') {
    errs.push(fieldError.notSupported(path.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  const sgp = (sc as PodSecurityContext & { supplementalGroupsPolicy?: string }).supplementalGroupsPolicy;
  if (sgp !== undefined && sgp !== 'Merge' && sgp !== 'Strict') {
    errs.push(fieldError.notSupported(path.child('supplementalGroupsPolicy'), sgp, ['Merge', 'Strict']));
  }
  return errs;
}

function validateDNSConfig(spec: PodSpec, path: FieldPath): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (cfg === undefined || cfg === null) return [fieldError.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((cfg.nameservers ?? []).length === 0) return [fieldError.required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (cfg === undefined || cfg === null) return [];
  const errs: FieldError[] = [];
  const ns = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(fieldError.invalid(path.child('nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((s, i) => isValidIP(s).forEach((m) => errs.push(fieldError.invalid(path.child('nameservers').index(i), s, m))));
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(fieldError.invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(fieldError.invalid(path.child('searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const t = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...validateDNS1123Subdomain(t, path.child('searches').index(i)));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if ((o.name ?? '') === '') errs.push(fieldError.required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}


/** ValidatePodSpec: `meta` is the pod's own metadata (for ephemeral volume names), absent for templates. */
export function validatePodSpec(spec: PodSpec | undefined, meta: ObjectMeta | undefined, path: FieldPath, options: PodValidationOptions = {}): FieldError[] {
  const opts = { ...defaultOptions, ...options };
  const s: PodSpec = spec ?? { containers: [] };
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) errs.push(fieldError.required(path.child('terminationGracePeriodSeconds')));
  const gracePeriod = s.terminationGracePeriodSeconds ?? undefined;
  const hostUsers = s.hostUsers !== false;
  const { volumes, errors } = validateVolumes(s.volumes, meta, path.child('volumes'), opts);
  errs.push(...errors);
  const claimNames = new Set((s.resourceClaims ?? []).map((c) => c.name).filter((n) => n !== ''));
  const seenClaims = new Set<string>();
  (s.resourceClaims ?? []).forEach((claim, i) => {
    const c = claim as typeof claim & { resourceClaimName?: string; resourceClaimTemplateName?: string };
    const p = path.child('resourceClaims').index(i);
    if ((c.name ?? '') === '') errs.push(fieldError.required(p.child('name')));
    else if (seenClaims.has(c.name)) errs.push(fieldError.duplicate(p.child('name'), c.name));
    else {
      errs.push(...validateDNS1123Label(c.name, p.child('name')));
      seenClaims.add(c.name);
    }
    if (c.resourceClaimName !== undefined && c.resourceClaimTemplateName !== undefined) {
      errs.push(fieldError.invalid(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    }
    if (c.resourceClaimName === undefined && c.resourceClaimTemplateName === undefined) {
      errs.push(fieldError.invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
    }
  });
  const restartPolicy = s.restartPolicy ?? '';
  errs.push(...validateContainers(s.containers, volumes, claimNames, gracePeriod, path.child('containers'), opts, restartPolicy, hostUsers));
  errs.push(...validateInitContainers(s.initContainers, s.containers, volumes, claimNames, gracePeriod, path.child('initContainers'), opts, restartPolicy, hostUsers));
  const ephemeral = s.ephemeralContainers ?? [];
  if (ephemeral.length > 0) {
    const other = new Set([...(s.containers ?? []), ...(s.initContainers ?? [])].map((c) => c.name));
    const all = new Set(other);
    ephemeral.forEach((ec, i) => {
      const p = path.child('ephemeralContainers').index(i);
      errs.push(...validateContainerCommon(ec as Container, volumes, claimNames, p, opts, restartPolicy, hostUsers));
      if (all.has(ec.name)) errs.push(fieldError.duplicate(p.child('name'), ec.name));
      else all.add(ec.name);
      if ((ec.targetContainerName ?? '') !== '' && !other.has(ec.targetContainerName ?? '')) errs.push(fieldError.notFound(p.child('targetContainerName'), ec.targetContainerName));
      for (const f of ['ports', 'resources', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy'] as const) {
        const v = ec[f];
        if (v !== undefined && !semanticEqual(v, undefined)) errs.push(fieldError.forbidden(p.child(f), 'cannot be set for an Ephemeral Container'));
      }
    });
  }
  if (s.hostNetwork === true) {
    (s.containers ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((port, j) => {
        const hp = port.hostPort ?? 0;
        if ((opts.resourceIsPod === true || hp !== 0) && hp !== port.containerPort) {
          errs.push(fieldError.invalid(path.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  if (restartPolicy === '') errs.push(fieldError.required(path.child('restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) errs.push(fieldError.notSupported(path.child('restartPolicy'), restartPolicy, ['Always', 'OnFailure', 'Never']));
  const dnsPolicy = s.dnsPolicy ?? '';
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dnsPolicy === '') errs.push(fieldError.required(path.child('dnsPolicy')));
  else if (!dnsPolicies.includes(dnsPolicy)) errs.push(fieldError.notSupported(path.child('dnsPolicy'), dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(s.securityContext, s, path.child('securityContext')));
  (s.imagePullSecrets ?? []).forEach((ref, i) => {
    if (Object.keys(ref).some((k) => k !== 'name')) errs.push(fieldError.invalid(path.child('imagePullSecrets').index(i), ref, 'only name may be set'));
  });
  errs.push(...validateAffinity(s.affinity, opts, path.child('affinity')));
  errs.push(...validateDNSConfig(s, path.child('dnsConfig')));
  (s.readinessGates ?? []).forEach((g, i) =>
    isQualifiedName(g.conditionType).forEach((m) => errs.push(fieldError.invalid(path.child('readinessGates').index(i).child('conditionType'), g.conditionType, m))),
  );
  const gates = new Set<string>();
  (s.schedulingGates ?? []).forEach((g, i) => {
    isQualifiedName(g.name).forEach((m) => errs.push(fieldError.invalid(path.child('schedulingGates').index(i), g.name, m)));
    if (gates.has(g.name)) errs.push(fieldError.duplicate(path.child('schedulingGates').index(i), g.name));
    gates.add(g.name);
  });
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, path.child('topologySpreadConstraints'), opts));
  if (s.hostUsers === false) {
    if (s.hostNetwork === true) errs.push(fieldError.forbidden(path.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (s.hostPID === true) errs.push(fieldError.forbidden(path.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (s.hostIPC === true) errs.push(fieldError.forbidden(path.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  const sa = s.serviceAccountName ?? '';
  if (sa.length > 0) for (const m of validateNameDNSSubdomain(sa, false)) errs.push(fieldError.invalid(path.child('serviceAccountName'), sa, m));
  const nodeName = s.nodeName ?? '';
  if (nodeName.length > 0) for (const m of validateNameDNSSubdomain(nodeName, false)) errs.push(fieldError.invalid(path.child('nodeName'), nodeName, m));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > maxInt32) errs.push(fieldError.invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, maxInt32)));
  }
  if ((s.hostname ?? '').length > 0) errs.push(...validateDNS1123Label(s.hostname ?? '', path.child('hostname')));
  if ((s.subdomain ?? '').length > 0) errs.push(...validateDNS1123Label(s.subdomain ?? '', path.child('subdomain')));
  errs.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  (s.hostAliases ?? []).forEach((ha, i) => {
    const p = path.child('hostAliases').index(i);
    isValidIP(ha.ip ?? '').forEach((m) => errs.push(fieldError.invalid(p.child('ip'), ha.ip ?? '', m)));
    (ha.hostnames ?? []).forEach((h, j) => errs.push(...validateDNS1123Subdomain(h, p.child('hostnames').index(j))));
  });
  const pcn = s.priorityClassName ?? '';
  if (pcn.length > 0) for (const m of validateNameDNSSubdomain(pcn, false)) errs.push(fieldError.invalid(path.child('priorityClassName'), pcn, m));
  if (s.runtimeClassName !== undefined && s.runtimeClassName !== null) {
    for (const m of isDNS1123Subdomain(s.runtimeClassName)) errs.push(fieldError.invalid(path.child('runtimeClassName'), s.runtimeClassName, m));
  }
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    const pp = s.preemptionPolicy;
    if (pp === '') errs.push(fieldError.required(path.child('preemptionPolicy')));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(fieldError.notSupported(path.child('preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  }
  if (s.overhead !== undefined) errs.push(...validateContainerResourceRequirements({ limits: s.overhead }, claimNames, path.child('overhead')));
  if (s.os !== undefined && s.os !== null) {
    if ((s.os.name ?? '') === '') errs.push(fieldError.required(path.child('os', 'name'), 'cannot be empty'));
    else if (s.os.name !== 'linux' && s.os.name !== 'windows') errs.push(fieldError.notSupported(path.child('os'), s.os.name, ['linux', 'windows']));
  }
  return errs;
}

/** Pod-only checks (not templates): images must not carry leading or trailing whitespace. */
export function validateContainersOnlyForPod(containers: readonly Container[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const image = c.image ?? '';
    if (image.length !== image.trim().length) errs.push(fieldError.invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** ValidatePodTemplateSpec: template labels, annotations and spec. */
export function validatePodTemplateSpec(tpl: PodTemplateSpec | undefined, path: FieldPath, opts: PodValidationOptions = {}): FieldError[] {
  const t = tpl ?? {};
  const meta = t.metadata ?? {};
  const errs = validateLabels(meta.labels, path.child('labels'));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validatePodSpecificAnnotations(meta.annotations, t.spec, path.child('annotations')));
  errs.push(...validatePodSpec(t.spec, undefined, path.child('spec'), opts));
  if ((t.spec?.ephemeralContainers ?? []).length > 0) {
    errs.push(fieldError.forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

export const mirrorPodAnnotationKey = 'kubernetes.io/config.mirror';
const podDeletionCostKey = 'controller.kubernetes.io/pod-deletion-cost';

/** ValidatePodSpecificAnnotations (mirror pod, deletion cost). */
export function validatePodSpecificAnnotations(annotations: Readonly<Record<string, string>> | undefined, spec: PodSpec | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const a = annotations ?? {};
  if (Object.hasOwn(a, mirrorPodAnnotationKey) && (spec?.nodeName ?? '') === '') {
    errs.push(fieldError.invalid(path.key(mirrorPodAnnotationKey), a[mirrorPodAnnotationKey], 'must set spec.nodeName if mirror pod annotation is set'));
  }
  const cost = a[podDeletionCostKey];
  if (cost !== undefined) {
    const n = /^[+-]?[0-9]+$/.test(cost) ? Number(cost) : Number.NaN;
    if (!Number.isInteger(n) || n < -2147483648 || n > maxInt32) errs.push(fieldError.invalid(path.key(podDeletionCostKey), cost, 'must be a 32bit integer'));
  }
  return errs;
}

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(newC: readonly Container[] | undefined, oldC: readonly Container[] | undefined, path: FieldPath): { errs: FieldError[]; stop: boolean } {
  const n = newC ?? [];
  if (n.length !== (oldC ?? []).length) return { errs: [fieldError.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    const image = c.image ?? '';
    if (image === '') errs.push(fieldError.required(path.index(i).child('image')));
    if (image.trim().length !== image.length) errs.push(fieldError.invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** A short, line-oriented rendering of what differs (stands in for upstream's cmp.Diff). */
export function describeDiff(oldVal: unknown, newVal: unknown, prefix = ''): string[] {
  if (semanticEqual(oldVal, newVal)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(oldVal) && isObj(newVal)) {
    const keys = [...new Set([...Object.keys(oldVal), ...Object.keys(newVal)])].sort();
    return keys.flatMap((k) => describeDiff(oldVal[k], newVal[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  if (Array.isArray(oldVal) && Array.isArray(newVal) && oldVal.length === newVal.length) {
    return oldVal.flatMap((v, i) => describeDiff(v, newVal[i], `${prefix}[${i}]`));
  }
  return [`- ${prefix}: ${JSON.stringify(oldVal ?? null)}`, `+ ${prefix}: ${JSON.stringify(newVal ?? null)}`];
}

function tolerationKey(t: Toleration): string {
  return JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);
}

/**
 * The spec part of ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations,
 * removed scheduling gates and (for gated pods) added node selectors may change.
 */
export function validatePodSpecUpdate(newSpec: PodSpec, oldSpec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let r = containerUpdates(newSpec.containers, oldSpec.containers, path.child('containers'));
  errs.push(...r.errs);
  if (r.stop) return errs;
  r = containerUpdates(newSpec.initContainers, oldSpec.initContainers, path.child('initContainers'));
  errs.push(...r.errs);
  if (r.stop) return errs;

  const newADS = newSpec.activeDeadlineSeconds;
  const oldADS = oldSpec.activeDeadlineSeconds;
  if (newADS !== undefined && newADS !== null) {
    if (newADS < 0 || newADS > maxInt32) {
      errs.push(fieldError.invalid(path.child('activeDeadlineSeconds'), newADS, inclusiveRangeError(0, maxInt32)));
      return errs;
    }
    if (oldADS !== undefined && oldADS !== null && oldADS < newADS) {
      errs.push(fieldError.invalid(path.child('activeDeadlineSeconds'), newADS, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldADS !== undefined && oldADS !== null) {
    errs.push(fieldError.invalid(path.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }

  const newTol = new Set((newSpec.tolerations ?? []).map(tolerationKey));
  if ((oldSpec.tolerations ?? []).some((t) => !newTol.has(tolerationKey(t)))) {
    errs.push(fieldError.forbidden(path.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
  } else {
    errs.push(...validateTolerations(newSpec.tolerations, path.child('tolerations')));
  }

  const oldGates = new Set((oldSpec.schedulingGates ?? []).map((g) => g.name));
  (newSpec.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) {
      errs.push(fieldError.forbidden(path.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
    }
  });

  if (semanticEqual(newSpec, oldSpec)) return errs;

  const munged: PodSpec = cloneJson(newSpec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers[i]?.image }) as Container);
  if (munged.initContainers !== undefined) {
    munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers?.[i]?.image }) as Container);
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if ((oldSpec.schedulingGates ?? []).length > 0) {
    const oldNS = oldSpec.nodeSelector ?? {};
    const newNS = munged.nodeSelector ?? {};
    if (!semanticEqual(oldNS, newNS)) {
      if (Object.entries(oldNS).some(([k, v]) => newNS[k] !== v)) {
        errs.push(fieldError.invalid(path.child('nodeSelector'), newNS, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
      }
      munged.nodeSelector = oldSpec.nodeSelector;
    }
  }
  if (!semanticEqual(munged, oldSpec)) {
    const diff = describeDiff(oldSpec, munged).join('\n');
    errs.push(fieldError.forbidden(path, `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diff}`));
  }
  return errs;
}
