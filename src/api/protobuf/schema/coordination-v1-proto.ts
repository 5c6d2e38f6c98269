// Protobuf schema for k8s.io/api/coordination/v1: message names, field numbers and types as in upstream's
// generated.proto, field names as the JSON API spells them. Options: see ../kubernetes-protobuf-root.ts.
export const coordinationV1Proto = `syntax = "proto2";
package k8s.io.api.coordination.v1;

message Lease {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional LeaseSpec spec = 2;
}
message LeaseSpec {
  optional string holderIdentity = 1 [(keep) = true];
  optional int32 leaseDurationSeconds = 2 [(keep) = true];
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime acquireTime = 3;
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime renewTime = 4;
  optional int32 leaseTransitions = 5 [(keep) = true];
  optional string strategy = 6 [(keep) = true];
  optional string preferredHolder = 7 [(keep) = true];
}
`;
