// The CRI v1 surface of k8ts: the runtime interfaces and types, the gRPC client, the fake and its server.
export * from './runtime-service.js';
export { CriError, GrpcCode, isCriError, type GrpcCodeName } from './cri-error.js';
export { CriClient, connectCri, criTarget, type CriClientOptions } from './cri-client.js';
export { serveCri, type CriServer } from './cri-server.js';
export { FakeRuntime, type FakeCall, type FakeImage, type FakeRuntimeOptions } from './fake-runtime.js';
export { formatCriLogLine, rfc3339Nano, type LogStream } from './cri-log-line.js';
export { imageRepository, normalizeImageRef } from './image-reference.js';
