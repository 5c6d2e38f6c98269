// Protobuf schema for k8s.io/apimachinery/pkg/util/intstr: message names, field numbers and types as in upstream's
// generated.proto, field names as the JSON API spells them. Options: see ../kubernetes-protobuf-root.ts.
export const intstrProto = `syntax = "proto2";
package k8s.io.apimachinery.pkg.util.intstr;

message IntOrString {
  optional int64 type = 1;
  optional int32 intVal = 2;
  optional string strVal = 3;
}
`;
