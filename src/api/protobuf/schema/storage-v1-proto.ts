// Protobuf schema for k8s.io/api/storage/v1 (StorageClass): message names, field numbers and types as in upstream's
// generated.proto, field names as the JSON API spells them. Options: see ../kubernetes-protobuf-root.ts.
export const storageV1Proto = `syntax = "proto2";
package k8s.io.api.storage.v1;

message StorageClass {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional string provisioner = 2;
  map<string, string> parameters = 3;
  optional string reclaimPolicy = 4 [(keep) = true];
  repeated string mountOptions = 5;
  optional bool allowVolumeExpansion = 6 [(keep) = true];
  optional string volumeBindingMode = 7 [(keep) = true];
  repeated .k8s.io.api.core.v1.TopologySelectorTerm allowedTopologies = 8;
}
`;
