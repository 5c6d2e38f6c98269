/** gRPC status codes by the names Go's status package prints (`rpc error: code = NotFound desc = ...`). */
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

export type GrpcCodeName = keyof typeof GrpcCode;

function codeName(code: number): GrpcCodeName | `Code(${number})` {
  for (const [name, value] of Object.entries(GrpcCode)) {
    if (value === code) return name as GrpcCodeName;
  }
  return `Code(${code})`;
}

/**
 * A failed CRI call: the gRPC status code and the runtime's own description. The message reads
 * as the Go kubelet prints it (`rpc error: code = NotFound desc = an error occurred when try to
 * find container "x": not found`), so events and pod status messages match upstream.
 */
export class CriError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly details: string;
  /** The RPC that failed, e.g. 'ContainerStatus'. */
  readonly method: string;

  constructor(code: number, details: string, method = '') {
    const name = codeName(code);
    super(`rpc error: code = ${name} desc = ${details}`);
    this.name = 'CriError';
    this.code = code;
    this.codeName = name;
    this.details = details;
    this.method = method;
  }
}

/** True when `e` is a CriError with the given code, e.g. isCriError(e, GrpcCode.NotFound). */
export function isCriError(e: unknown, code?: number): e is CriError {
  return e instanceof CriError && (code === undefined || e.code === code);
}
