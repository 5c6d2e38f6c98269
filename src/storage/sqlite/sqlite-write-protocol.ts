// The messages between the SQLite store on the main thread and its write worker. Requests are handled strictly in
// the order they are posted, so a compare-and-swap in one batch sees every earlier batch's result; the replies come
// back in the same order, each after its transaction has committed (and so been fsynced).

import { ConflictError, KeyExistsError, KeyNotFoundError, type KeyValue, type WatchEvent } from '../storage.js';

export type WriteOp =
  | { readonly op: 'create'; readonly key: string; readonly value: string }
  | { readonly op: 'update'; readonly key: string; readonly value: string; readonly expectedRevision: number }
  | { readonly op: 'delete'; readonly key: string; readonly expectedRevision: number | null };

/** An error as it crosses the thread boundary; storage errors keep what they carry. */
export type WireError =
  | { readonly kind: 'keyExists'; readonly key: string }
  | { readonly kind: 'keyNotFound'; readonly key: string }
  | { readonly kind: 'conflict'; readonly key: string; readonly current: KeyValue | null }
  | { readonly kind: 'other'; readonly name: string; readonly message: string; readonly code: string | null };

export type WireOutcome = { readonly ok: true; readonly event: WatchEvent } | { readonly ok: false; readonly error: WireError };

export type WriterRequest =
  /** Apply these writes; each succeeds or fails on its own, all that succeed commit together. */
  | { readonly type: 'writes'; readonly id: number; readonly ops: readonly WriteOp[] }
  /** Forget history up to and including this revision. */
  | { readonly type: 'compact'; readonly id: number; readonly revision: number }
  /** Close the connection and end the worker once everything posted before has committed. */
  | { readonly type: 'close' };

export type JobResult =
  /** The job committed; for writes, one outcome per op in order (none for a compaction). */
  | { readonly id: number; readonly ok: true; readonly outcomes: readonly WireOutcome[] }
  /** The job's transaction failed as a whole: nothing of it was written. */
  | { readonly id: number; readonly ok: false; readonly error: WireError };

export type WriterReply =
  /** The worker's connection is open: from now on it takes every write. */
  | { readonly type: 'ready' }
  /** The results of one transaction's jobs, in posting order. */
  | { readonly type: 'committed'; readonly results: readonly JobResult[] };

export interface WriterData {
  readonly file: string;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof KeyExistsError) return { kind: 'keyExists', key: e.key };
  if (e instanceof KeyNotFoundError) return { kind: 'keyNotFound', key: e.key };
  if (e instanceof ConflictError) return { kind: 'conflict', key: e.key, current: e.current };
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    return { kind: 'other', name: e.name, message: e.message, code: typeof code === 'string' ? code : null };
  }
  return { kind: 'other', name: 'Error', message: String(e), code: null };
}

export function fromWireError(w: WireError): Error {
  switch (w.kind) {
    case 'keyExists':
      return new KeyExistsError(w.key);
    case 'keyNotFound':
      return new KeyNotFoundError(w.key);
    case 'conflict':
      return new ConflictError(w.key, w.current);
    case 'other': {
      const err = new Error(w.message);
      err.name = w.name;
      if (w.code !== null) Object.assign(err, { code: w.code });
      return err;
    }
    default: {
      const never: never = w;
      throw new Error(`unknown wire error ${JSON.stringify(never)}`);
    }
  }
}
