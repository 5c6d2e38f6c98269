// Protobuf schema for k8s.io/apimachinery/pkg/apis/meta/v1: message names, field numbers and types as in upstream's
// generated.proto, field names as the JSON API spells them. Options: see ../kubernetes-protobuf-root.ts.
export const metaV1Proto = `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;

message Condition {
  optional string type = 1;
  optional string status = 2;
  optional int64 observedGeneration = 3;
  optional Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message CreateOptions {
  repeated string dryRun = 1;
  optional string fieldManager = 3;
  optional string fieldValidation = 4;
}
message DeleteOptions {
  optional int64 gracePeriodSeconds = 1 [(keep) = true];
  optional Preconditions preconditions = 2;
  optional bool orphanDependents = 3 [(keep) = true];
  optional string propagationPolicy = 4 [(keep) = true];
  repeated string dryRun = 5;
  optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6 [(keep) = true];
}
message Duration {
  optional int64 duration = 1;
}
message FieldsV1 {
  optional bytes Raw = 1;
}
message LabelSelector {
  map<string, string> matchLabels = 1;
  repeated LabelSelectorRequirement matchExpressions = 2;
}
message LabelSelectorRequirement {
  optional string key = 1;
  optional string operator = 2;
  repeated string values = 3;
}
message ListMeta {
  optional string selfLink = 1;
  optional string resourceVersion = 2;
  optional string continue = 3;
  optional int64 remainingItemCount = 4 [(keep) = true];
}
message ManagedFieldsEntry {
  optional string manager = 1;
  optional string operation = 2;
  optional string apiVersion = 3;
  optional Time time = 4;
  optional string fieldsType = 6;
  optional FieldsV1 fieldsV1 = 7;
  optional string subresource = 8;
}
message MicroTime {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10 [(keep) = true];
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}
message OwnerReference {
  optional string apiVersion = 5;
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
  optional bool controller = 6 [(keep) = true];
  optional bool blockOwnerDeletion = 7 [(keep) = true];
}
message PatchOptions {
  repeated string dryRun = 1;
  optional bool force = 2 [(keep) = true];
  optional string fieldManager = 3;
  optional string fieldValidation = 4;
}
message Preconditions {
  optional string uid = 1 [(keep) = true];
  optional string resourceVersion = 2 [(keep) = true];
}
message Status {
  optional ListMeta metadata = 1;
  optional string status = 2;
  optional string message = 3;
  optional string reason = 4;
  optional StatusDetails details = 5;
  optional int32 code = 6;
}
message StatusCause {
  optional string reason = 1;
  optional string message = 2;
  optional string field = 3;
}
message StatusDetails {
  optional string name = 1;
  optional string group = 2;
  optional string kind = 3;
  optional string uid = 6;
  repeated StatusCause causes = 4;
  optional int32 retryAfterSeconds = 5;
}
message Time {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}
message Timestamp {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}
message UpdateOptions {
  repeated string dryRun = 1;
  optional string fieldManager = 2;
  optional string fieldValidation = 3;
}
`;
