// Kubernetes protobuf request bodies, decoded into their JSON form.
export { decodeKubernetesProtobuf, kubernetesProtobufContentType, ProtobufDecodeError, type DecodedProtobuf } from './decode-kubernetes-protobuf.js';
export { kubernetesProtobufRoot } from './kubernetes-protobuf-root.js';
