// The standard gRPC health checking protocol (grpc/grpc-proto grpc/health/v1/health.proto), embedded: the Check
// method's definition serves both the probe's client and test servers.
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest {
  string service = 1;
}
message HealthCheckResponse {
  enum ServingStatus {
    UNKNOWN = 0;
    SERVING = 1;
    NOT_SERVING = 2;
    SERVICE_UNKNOWN = 3;
  }
  ServingStatus status = 1;
}
`;

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
export interface HealthCheckRequest { service: string }
export interface HealthCheckResponse { status: ServingStatus }

const servingStatuses: readonly ServingStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

let types: { request: protobuf.Type; response: protobuf.Type } | undefined;
function healthTypes(): { request: protobuf.Type; response: protobuf.Type } {
  if (types === undefined) {
    const { root } = protobuf.parse(HEALTH_PROTO, { keepCase: true });
    types = { request: root.lookupType('grpc.health.v1.HealthCheckRequest'), response: root.lookupType('grpc.health.v1.HealthCheckResponse') };
  }
  return types;
}

/** The name of a ServingStatus number; an unknown number prints as Go prints an unnamed enum value. */
export function servingStatusName(n: number): string {
  return servingStatuses[n] ?? String(n);
}

export const healthCheckMethod: grpc.MethodDefinition<HealthCheckRequest, HealthCheckResponse> = {
  path: '/grpc.health.v1.Health/Check',
  requestStream: false,
  responseStream: false,
  requestSerialize: (req) => Buffer.from(healthTypes().request.encode({ service: req.service }).finish()),
  requestDeserialize: (buf) => {
    const o = healthTypes().request.toObject(healthTypes().request.decode(buf), { defaults: true }) as { service?: string };
    return { service: o.service ?? '' };
  },
  responseSerialize: (res) => Buffer.from(healthTypes().response.encode({ status: Math.max(0, servingStatuses.indexOf(res.status)) }).finish()),
  responseDeserialize: (buf) => {
    const o = healthTypes().response.toObject(healthTypes().response.decode(buf), { defaults: true }) as { status?: number };
    return { status: servingStatusName(o.status ?? 0) as ServingStatus };
  },
};
