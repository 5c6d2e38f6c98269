// Validators for the core/v1 kinds, keyed by "<storage group>/<Kind>".
import type { KindValidators } from '../kind-validator.js';
import { configMapValidator } from './config-map.js';
import { endpointsValidator } from './endpoints.js';
import { eventValidator } from './event.js';
import { limitRangeValidator } from './limit-range.js';
import { namespaceValidator } from './namespace.js';
import { nodeValidator } from './node.js';
import { persistentVolumeClaimValidator } from './persistent-volume-claim.js';
import { persistentVolumeValidator } from './persistent-volume.js';
import { podTemplateValidator } from './pod-template.js';
import { podValidator } from './pod.js';
import { replicationControllerValidator } from './replication-controller.js';
import { resourceQuotaValidator } from './resource-quota.js';
import { secretValidator } from './secret.js';
import { serviceAccountValidator } from './service-account.js';
import { serviceValidator } from './service.js';

export const coreValidators: KindValidators = {
  '/ConfigMap': configMapValidator,
  '/Endpoints': endpointsValidator,
  '/Event': eventValidator,
  '/LimitRange': limitRangeValidator,
  '/Namespace': namespaceValidator,
  '/Node': nodeValidator,
  '/PersistentVolume': persistentVolumeValidator,
  '/PersistentVolumeClaim': persistentVolumeClaimValidator,
  '/Pod': podValidator,
  '/PodTemplate': podTemplateValidator,
  '/ReplicationController': replicationControllerValidator,
  '/ResourceQuota': resourceQuotaValidator,
  '/Secret': secretValidator,
  '/ServiceAccount': serviceAccountValidator,
  '/Service': serviceValidator,
};
