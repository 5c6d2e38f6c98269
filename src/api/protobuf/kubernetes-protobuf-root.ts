// The Kubernetes protobuf schema as one protobufjs Root, parsed from the .proto texts in ./schema on
// first use (parsing takes tens of milliseconds, so server start does not pay for it).
//
// The schema texts carry upstream's message names, field numbers and types. Field names are the JSON
// names, and three custom options say what generated.proto cannot:
//   [(keep) = true]   on a scalar: the Go field is a pointer (or has no omitempty), so a zero value that
//                     is present on the wire is present in JSON. Other scalars drop zero values, as
//                     encoding/json's omitempty does (gogo marshals non-pointer scalars unconditionally).
//   [(inline) = true] on a message field: the Go struct is embedded with `json:",inline"`, so its
//                     fields appear directly in the parent's JSON (LocalObjectReference, VolumeSource…).
//   option (list) = true;  on a message: its JSON form is its `items` array (authentication ExtraValue).
import protobuf from 'protobufjs';
import { appsV1Proto } from './schema/apps-v1-proto.js';
import { authenticationV1Proto } from './schema/authentication-v1-proto.js';
import { authorizationV1Proto } from './schema/authorization-v1-proto.js';
import { autoscalingV1Proto } from './schema/autoscaling-v1-proto.js';
import { autoscalingV2Proto } from './schema/autoscaling-v2-proto.js';
import { batchV1Proto } from './schema/batch-v1-proto.js';
import { coordinationV1Proto } from './schema/coordination-v1-proto.js';
import { coreV1Proto } from './schema/core-v1-proto.js';
import { discoveryV1Proto } from './schema/discovery-v1-proto.js';
import { eventsV1Proto } from './schema/events-v1-proto.js';
import { extensionsV1beta1Proto } from './schema/extensions-v1beta1-proto.js';
import { intstrProto } from './schema/intstr-proto.js';
import { metaV1Proto } from './schema/meta-v1-proto.js';
import { networkingV1Proto } from './schema/networking-v1-proto.js';
import { policyV1Proto } from './schema/policy-v1-proto.js';
import { rbacV1Proto } from './schema/rbac-v1-proto.js';
import { resourceProto } from './schema/resource-proto.js';
import { runtimeProto } from './schema/runtime-proto.js';
import { schedulingV1Proto } from './schema/scheduling-v1-proto.js';
import { storageV1Proto } from './schema/storage-v1-proto.js';

const sources: readonly string[] = [
  metaV1Proto,
  runtimeProto,
  resourceProto,
  intstrProto,
  coreV1Proto,
  appsV1Proto,
  extensionsV1beta1Proto,
  batchV1Proto,
  autoscalingV1Proto,
  autoscalingV2Proto,
  policyV1Proto,
  rbacV1Proto,
  networkingV1Proto,
  schedulingV1Proto,
  authorizationV1Proto,
  authenticationV1Proto,
  storageV1Proto,
  coordinationV1Proto,
  discoveryV1Proto,
  eventsV1Proto,
];

let root: protobuf.Root | undefined;

/** The parsed schema, parsed on the first call; types resolve their fields when first used. */
export function kubernetesProtobufRoot(): protobuf.Root {
  if (root === undefined) {
    const r = new protobuf.Root();
    for (const source of sources) protobuf.parse(source, r, { keepCase: true });
    root = r;
  }
  return root;
}
