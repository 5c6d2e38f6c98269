// One error type for the whole API surface: an ApiError carries a Kubernetes StatusReason and
// becomes a metav1.Status with the upstream HTTP code and message.
import { aggregateMessage, fieldErrorBody, type FieldError } from './field-errors.js';

export type StatusReason =
  | ''
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'StoreReadError'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A group and resource (or kind), printed as upstream does: "pods", "deployments.apps". */
export interface GroupThing {
  group: string;
  name: string;
}

export function qualified(gt: GroupThing): string {
  return gt.group === '' ? gt.name : `${gt.name}.${gt.group}`;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details !== undefined) s.details = this.details;
    if (this.reason === '') delete s.reason;
    return s;
  }

  static notFound(resource: GroupThing, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, group: resource.group || undefined, kind: resource.name });
  }

  static alreadyExists(resource: GroupThing, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, { name, group: resource.group || undefined, kind: resource.name });
  }

  /** Upstream's NewConflict: "Operation cannot be fulfilled on pods "x": <why>". */
  static conflict(resource: GroupThing, name: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource)} "${name}": ${why}`, { name, group: resource.group || undefined, kind: resource.name });
  }

  static readonly optimisticLockMessage = 'the object has been modified; please apply your changes to the latest version and try again';

  /** Upstream's NewInvalid: 422 with one cause per field error. `kind` is the qualified kind, e.g. {group:'apps', name:'Deployment'}. */
  static invalid(kind: GroupThing, name: string, errs: readonly FieldError[]): ApiError {
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    return new ApiError(422, 'Invalid', `${qualified(kind)} "${name}" is invalid: ${aggregateMessage(errs)}`, {
      name,
      group: kind.group || undefined,
      kind: kind.name,
      causes,
    });
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static forbidden(resource: GroupThing, name: string, why: string): ApiError {
    const subject = name === '' ? qualified(resource) : `${qualified(resource)} "${name}"`;
    return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, { name: name || undefined, group: resource.group || undefined, kind: resource.name });
  }

  static unauthorized(message = 'Unauthorized'): ApiError {
    return new ApiError(401, 'Unauthorized', message);
  }

  static methodNotSupported(resource: GroupThing, action: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualified(resource)}"`, { group: resource.group || undefined, kind: resource.name });
  }

  static gone(message: string): ApiError {
    return new ApiError(410, 'Gone', message);
  }

  static expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  }

  static tooLarge(message: string): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', message);
  }

  static unsupportedMediaType(accepted: readonly string[]): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }

  static notAcceptable(message: string): ApiError {
    return new ApiError(406, 'NotAcceptable', message);
  }

  static internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  }

  static serviceUnavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message);
  }

  static timeout(message: string, retryAfterSeconds = 0): ApiError {
    return new ApiError(504, 'Timeout', message, { retryAfterSeconds });
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
