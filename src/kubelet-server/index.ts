// The kubelet's HTTPS server and the CRI log reading behind `kubectl logs`.
export { startKubeletServer, type KubeletServer, type KubeletServerOptions } from './kubelet-server.js';
export { ensureKubeletServingCertificate, type KubeletServingCertOptions, type KubeletTls } from './kubelet-serving-cert.js';
export { readLogs, newLogOptions, parseCriLog, formatRfc3339NanoFixed, type LogOptions, type LogStream, type PodLogOptionsInput } from './cri-log-reader.js';
export { containerForLogs, parseContainerLogQuery, KubeletHttpError } from './container-log-request.js';
