// The one table of Kubernetes OpenAPI extensions k8ts adds to the schemas it derives from the
// kubernetes-types declarations (which carry types and documentation, but not the Go struct tags).
// Facts follow upstream v1.32's Go struct tags (`patchStrategy`, `patchMergeKey`, `+listType`,
// `+listMapKey`) as they appear in api/openapi-spec.

export interface FieldExtensions {
  /** x-kubernetes-patch-strategy: "merge", "retainKeys" or "merge,retainKeys". */
  readonly patchStrategy?: string;
  /** x-kubernetes-patch-merge-key: the field that identifies list items when merging. */
  readonly mergeKey?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  readonly mapType?: 'atomic' | 'granular';
}

const mergeBy = (mergeKey: string, listMapKeys?: readonly string[]): FieldExtensions =>
  listMapKeys ? { patchStrategy: 'merge', mergeKey, listType: 'map', listMapKeys } : { patchStrategy: 'merge', mergeKey };
const conditions = mergeBy('type');
const conditionsMap = mergeBy('type', ['type']);
const atomic: FieldExtensions = { listType: 'atomic' };

const containerFields: Record<string, FieldExtensions> = {
  ports: mergeBy('containerPort', ['containerPort', 'protocol']),
  env: mergeBy('name', ['name']),
  volumeMounts: mergeBy('mountPath', ['mountPath']),
  volumeDevices: mergeBy('devicePath', ['devicePath']),
  resizePolicy: atomic,
  args: atomic,
  command: atomic,
  envFrom: atomic,
};

/** Field extensions by definition name (upstream naming) and JSON field name. */
export const fieldExtensions: Readonly<Record<string, Readonly<Record<string, FieldExtensions>>>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: mergeBy('uid', ['uid']),
    managedFields: atomic,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': { matchExpressions: atomic },

  // core/v1
  'io.k8s.api.core.v1.PodSpec': {
    volumes: { patchStrategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    initContainers: mergeBy('name', ['name']),
    containers: mergeBy('name', ['name']),
    ephemeralContainers: mergeBy('name', ['name']),
    imagePullSecrets: mergeBy('name', ['name']),
    hostAliases: mergeBy('ip', ['ip']),
    topologySpreadConstraints: mergeBy('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: mergeBy('name', ['name']),
    resourceClaims: { patchStrategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    tolerations: atomic,
    readinessGates: atomic,
  },
  'io.k8s.api.core.v1.Container': containerFields,
  'io.k8s.api.core.v1.EphemeralContainer': containerFields,
  'io.k8s.api.core.v1.PodStatus': {
    conditions: mergeBy('type', ['type']),
    podIPs: mergeBy('ip', ['ip']),
    hostIPs: { patchStrategy: 'merge', mergeKey: 'ip', listType: 'atomic' },
    resourceClaimStatuses: { patchStrategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
  },
  'io.k8s.api.core.v1.PodSecurityContext': { supplementalGroups: atomic, sysctls: atomic },
  'io.k8s.api.core.v1.ServiceSpec': {
    ports: mergeBy('port', ['port', 'protocol']),
    clusterIPs: atomic,
    externalIPs: atomic,
    ipFamilies: atomic,
    loadBalancerSourceRanges: atomic,
  },
  'io.k8s.api.core.v1.ServiceStatus': { conditions: conditionsMap },
  'io.k8s.api.core.v1.ServiceAccount': { secrets: mergeBy('name', ['name']), imagePullSecrets: atomic },
  'io.k8s.api.core.v1.NodeSpec': { podCIDRs: { patchStrategy: 'merge', listType: 'set' }, taints: atomic },
  'io.k8s.api.core.v1.NodeStatus': { conditions: conditionsMap, addresses: mergeBy('type', ['type']), images: atomic, volumesAttached: atomic, volumesInUse: atomic },
  'io.k8s.api.core.v1.NamespaceStatus': { conditions: conditionsMap },
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': { conditions: conditionsMap, accessModes: atomic },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': { accessModes: atomic },
  'io.k8s.api.core.v1.PersistentVolumeSpec': { accessModes: atomic, mountOptions: atomic },
  'io.k8s.api.core.v1.ReplicationControllerStatus': { conditions: conditionsMap },
  'io.k8s.api.core.v1.ComponentStatus': { conditions: conditionsMap },
  'io.k8s.api.core.v1.LimitRangeSpec': { limits: atomic },
  'io.k8s.api.core.v1.EndpointSubset': { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  'io.k8s.api.core.v1.Endpoints': { subsets: atomic },
  'io.k8s.api.core.v1.NodeSelector': { nodeSelectorTerms: atomic },
  'io.k8s.api.core.v1.NodeSelectorTerm': { matchExpressions: atomic, matchFields: atomic },
  'io.k8s.api.core.v1.Capabilities': { add: atomic, drop: atomic },

  // apps/v1
  'io.k8s.api.apps.v1.DeploymentSpec': { strategy: { patchStrategy: 'retainKeys' } },
  'io.k8s.api.apps.v1.DeploymentStatus': { conditions: conditionsMap },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { conditions: conditionsMap },
  'io.k8s.api.apps.v1.DaemonSetStatus': { conditions: conditionsMap },
  'io.k8s.api.apps.v1.StatefulSetStatus': { conditions: conditionsMap },
  'io.k8s.api.apps.v1.StatefulSetSpec': { volumeClaimTemplates: atomic },

  // batch/v1
  'io.k8s.api.batch.v1.JobStatus': { conditions: { ...conditions, listType: 'atomic' } },
  'io.k8s.api.batch.v1.CronJobStatus': { active: atomic },

  // autoscaling
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': { conditions: conditionsMap, currentMetrics: atomic },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec': { metrics: atomic },

  // policy/v1
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions: conditionsMap },

  // networking, rbac, discovery, storage: lists are replaced whole.
  'io.k8s.api.networking.v1.IngressSpec': { rules: atomic, tls: atomic },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { ingress: atomic, egress: atomic, policyTypes: atomic },
  'io.k8s.api.rbac.v1.Role': { rules: atomic },
  'io.k8s.api.rbac.v1.ClusterRole': { rules: atomic },
  'io.k8s.api.rbac.v1.RoleBinding': { subjects: atomic },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { subjects: atomic },
  'io.k8s.api.discovery.v1.EndpointSlice': { endpoints: atomic, ports: atomic },
  'io.k8s.api.storage.v1.StorageClass': { allowedTopologies: atomic, mountOptions: atomic },
};

/**
 * kubernetes-types writes every Go integer as `number`; upstream declares int32 unless the Go
 * field is int64. These field names are int64 wherever they occur in the served kinds.
 */
export const int64Fields: ReadonlySet<string> = new Set([
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'generation',
  'observedGeneration',
  'terminationGracePeriodSeconds',
  'gracePeriodSeconds',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'supplementalGroups',
  'expirationSeconds',
  'tolerationSeconds',
  'startingDeadlineSeconds',
  'remainingItemCount',
  'sizeBytes',
  'revision',
]);

/**
 * The named scalar types of apimachinery: kubernetes-types writes them as `string` (or inlines
 * `number | string`), upstream gives them a type and format of their own. `v2` is the swagger 2.0
 * schema, `v3` the OpenAPI 3.0 one (upstream's OpenAPIV3OneOfTypes).
 */
export const namedScalars: Readonly<Record<string, { readonly v2: { type: string; format?: string }; readonly v3?: { oneOf: { type: string }[]; format?: string } }>> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { v2: { type: 'string' }, v3: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    v2: { type: 'string', format: 'int-or-string' },
    v3: { oneOf: [{ type: 'integer' }, { type: 'string' }], format: 'int-or-string' },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { v2: { type: 'string', format: 'date-time' } },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { v2: { type: 'string', format: 'date-time' } },
};

/** Definitions whose content is free-form JSON (kubernetes-types declares them as empty interfaces). */
export const freeFormObjects: ReadonlySet<string> = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
]);

export const intOrStringDescription =
  'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.';
