// Protobuf schema for k8s.io/api/discovery/v1: message names, field numbers and types as in upstream's
// generated.proto, field names as the JSON API spells them. Options: see ../kubernetes-protobuf-root.ts.
export const discoveryV1Proto = `syntax = "proto2";
package k8s.io.api.discovery.v1;

message Endpoint {
  repeated string addresses = 1;
  optional EndpointConditions conditions = 2;
  optional string hostname = 3 [(keep) = true];
  optional .k8s.io.api.core.v1.ObjectReference targetRef = 4;
  map<string, string> deprecatedTopology = 5;
  optional string nodeName = 6 [(keep) = true];
  optional string zone = 7 [(keep) = true];
  optional EndpointHints hints = 8;
}
message EndpointConditions {
  optional bool ready = 1 [(keep) = true];
  optional bool serving = 2 [(keep) = true];
  optional bool terminating = 3 [(keep) = true];
}
message EndpointHints {
  repeated ForZone forZones = 1;
  repeated ForNode forNodes = 2;
}
message EndpointPort {
  optional string name = 1 [(keep) = true];
  optional string protocol = 2 [(keep) = true];
  optional int32 port = 3 [(keep) = true];
  optional string appProtocol = 4 [(keep) = true];
}
message EndpointSlice {
  optional .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional string addressType = 4;
  repeated Endpoint endpoints = 2;
  repeated EndpointPort ports = 3;
}
message ForNode {
  optional string name = 1;
}
message ForZone {
  optional string name = 1;
}
`;
