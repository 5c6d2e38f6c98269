// The gRPC probe (pkg/probe/grpc): grpc.health.v1.Health/Check for the probe's service over a plaintext connection
// to host:port, all within the timeout. SERVING is success ("service is serving"); every other answer or error is a
// failure worded as upstream's.
import * as grpc from '@grpc/grpc-js';
import { GrpcCode } from '../../cri/index.js';
import { goDuration, goQuote, joinHostPort } from './go-net-error.js';
import { healthCheckMethod, type HealthCheckResponse } from './grpc-health-proto.js';
import { probeUserAgent } from './http-probe.js';
import type { ProbeOutcome } from './probe-outcome.js';

function grpcCodeName(code: number): string {
  for (const [name, value] of Object.entries(GrpcCode)) if (value === code) return name;
  return `Code(${code})`;
}

export async function grpcProbe(host: string, service: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  const timeout = goDuration(timeoutSeconds * 1000);
  const addr = joinHostPort(host, port);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': probeUserAgent,
    'grpc.enable_http_proxy': 0,
    'grpc.enable_retries': 0,
  });
  try {
    // grpc.WithBlock: the dial waits for a ready connection until the deadline.
    const connected = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, (err) => resolve(err ?? undefined)));
    if (connected !== undefined) {
      return { result: 'failure', output: `timeout: failed to connect service ${goQuote(addr)} within ${timeout}: context deadline exceeded` };
    }
    const answer = await new Promise<{ err: grpc.ServiceError | null; res: HealthCheckResponse | undefined }>((resolve) => {
      client.makeUnaryRequest(healthCheckMethod.path, healthCheckMethod.requestSerialize, healthCheckMethod.responseDeserialize, { service }, new grpc.Metadata(), { deadline }, (err, res) => resolve({ err, res }));
    });
    if (answer.err !== null) {
      const { code, details } = answer.err;
      if (code === grpc.status.UNIMPLEMENTED) return { result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${details}` };
      if (code === grpc.status.DEADLINE_EXCEEDED) return { result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` };
      return { result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${grpcCodeName(code)} desc = ${details}` };
    }
    const status = answer.res?.status ?? 'UNKNOWN';
    if (status !== 'SERVING') return { result: 'failure', output: `service unhealthy (responded with ${goQuote(status)})` };
    return { result: 'success', output: 'service is serving' };
  } finally {
    client.close();
  }
}
