// The generic registry for one resource in its storage version: create, get, list, update (guaranteed),
// delete with graceful deletion and finalizers, and watch — upstream's genericregistry.Store, on our Storage.
import { randomUUID, randomInt } from 'node:crypto';
import { applyDefaults } from '../../api/defaults/index.js';
import type { StoredObject } from '../../api/object.js';
import { apiVersionOf, isRecord } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../api/validation/index.js';
import { ApiError } from '../../machinery/errors.js';
import type { FieldError } from '../../machinery/field-errors.js';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError, type KeyValue, type Storage, type WatchEvent, type WatchHandle } from '../../storage/storage.js';
import { selects, selectsEverything, type Selection } from './selection.js';
import { WatchCache } from './watch-cache.js';
import { encodeStored, rememberServedJson } from './served-json.js';
import { deepEqual, deleteReturnsObject, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from './strategy.js';
import { cloneJson } from '../../api/conversion/json-record.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** Admission: mutating and validating checks the registry runs before validation (create/update) or before delete. */
export interface Admission {
  admit(op: Operation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, dryRun: boolean): Promise<void>;
  /** Allocations on create/update (service IPs, node ports), before validation; may reject. */
  allocate?(op: Operation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, dryRun: boolean): Promise<void>;
  /** Validating admission (ResourceQuota): after validation passed, before the write; may reject. */
  validate?(op: Operation, r: ResourceInfo, obj: StoredObject, old: StoredObject | undefined, dryRun: boolean): Promise<void>;
  /** After a successful delete (release allocations). */
  deleted?(r: ResourceInfo, obj: StoredObject): void;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** The deprecated orphanDependents option; it overrides propagationPolicy. */
  orphanDependents?: boolean;
  /** The group/version the request used: some kinds default to orphaning in their older versions. */
  requestGroupVersion?: { group: string; version: string };
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ObjectEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: StoredObject;
  readonly revision: number;
}

export interface ListPage {
  readonly items: StoredObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface ListParams {
  readonly selection: Selection;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

const nameChars = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += nameChars[randomInt(nameChars.length)];
  return s;
}

let lastSecond = -1;
let lastStamp = '';

/** RFC 3339 at second precision, as metav1.Time serializes (formatted once per second). */
export function nowTimestamp(d = new Date()): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = `${d.toISOString().slice(0, 19)}Z`;
  }
  return lastStamp;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  const t: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(t) && t['v'] === 'meta.k8s.io/v1' && typeof t['rv'] === 'number' && typeof t['start'] === 'string') {
      if (!Number.isInteger(t['rv']) || t['rv'] <= 0) throw ApiError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      return { v: t['v'], rv: t['rv'], start: t['start'] };
    }
  } catch (e: unknown) {
    if (e instanceof ApiError) throw e;
  }
  throw ApiError.badRequest(`continue key is not valid: illegal base64 data or not a continue token`);
}

function parseRV(rv: string, what = 'resourceVersion'): number {
  if (!/^\d+$/.test(rv)) {
    throw ApiError.invalid({ group: 'meta.k8s.io', name: 'ListOptions' }, '', [
      { type: 'FieldValueInvalid', field: what, badValue: rv, detail: 'must be a non-negative integer' },
    ]);
  }
  return Number(rv);
}

export class ResourceStore {
  readonly prefix: string;
  readonly qualifiedResource: { group: string; name: string };
  readonly qualifiedKind: { group: string; name: string };

  constructor(
    readonly r: ResourceInfo,
    private readonly storage: Storage,
    private readonly admission: Admission,
  ) {
    this.prefix = `/registry/${r.group === '' ? '' : `${r.group}/`}${r.resource}/`;
    this.qualifiedResource = { group: r.group, name: r.resource };
    this.qualifiedKind = { group: r.group, name: r.kind };
  }

  nsPrefix(namespace: string): string {
    return this.r.namespaced && namespace !== '' ? `${this.prefix}${namespace}/` : this.prefix;
  }

  key(namespace: string, name: string): string {
    return this.r.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  /**
   * Decoded objects by key, for the latest revision seen: reads, lists and every watcher share one decode per
   * revision. Objects handed out by decode() are shared and must not be mutated (callers clone before changing).
   */
  private readonly decoded = new Map<string, { rev: number; obj: StoredObject }>();

  decode(kv: KeyValue, cache = true): StoredObject {
    const hit = this.decoded.get(kv.key);
    if (hit !== undefined && hit.rev === kv.modRevision) return hit.obj;
    const obj = JSON.parse(kv.value) as StoredObject;
    obj.metadata.resourceVersion = String(kv.modRevision);
    if (cache && (hit === undefined || hit.rev < kv.modRevision)) this.decoded.set(kv.key, { rev: kv.modRevision, obj });
    return obj;
  }

  /**
   * The object just written, as the store now holds it, without parsing back what was encoded: it becomes the
   * shared decoded object of that revision, so nothing may change it afterwards.
   */
  private adopt(obj: StoredObject, kv: KeyValue, withResourceVersion?: (rv: string) => string): StoredObject {
    obj.apiVersion = apiVersionOf(this.r.group, this.r.version);
    obj.kind = this.r.kind;
    obj.metadata.resourceVersion = String(kv.modRevision);
    // Its served JSON comes from the text just stored, instead of stringifying the object again for the response.
    if (withResourceVersion !== undefined) rememberServedJson(obj, withResourceVersion(obj.metadata.resourceVersion));
    const hit = this.decoded.get(kv.key);
    if (hit === undefined || hit.rev < kv.modRevision) this.decoded.set(kv.key, { rev: kv.modRevision, obj });
    return obj;
  }

  private async readCurrent(key: string): Promise<StoredObject | undefined> {
    const { kv } = await this.storage.get(key);
    return kv === null ? undefined : this.decode(kv);
  }

  private forget(key: string): void {
    this.decoded.delete(key);
  }

  encode(obj: StoredObject): string {
    return this.encodeStored(obj).value;
  }

  private encodeStored(obj: StoredObject): { value: string; withResourceVersion?: (rv: string) => string } {
    return encodeStored(obj as unknown as Record<string, unknown> & { metadata: Record<string, unknown> }, apiVersionOf(this.r.group, this.r.version), this.r.kind);
  }

  private translate(e: unknown, name: string): never {
    if (e instanceof KeyExistsError) throw ApiError.alreadyExists(this.qualifiedResource, name);
    if (e instanceof KeyNotFoundError) throw ApiError.notFound(this.qualifiedResource, name);
    if (e instanceof ConflictError) throw ApiError.conflict(this.qualifiedResource, name, ApiError.optimisticLockMessage);
    if (e instanceof CompactedError) throw ApiError.expired(`too old resource version: ${e.requested} (${e.compacted})`);
    throw e;
  }

  private cache: WatchCache | undefined;

  /** Starts the watch cache (stores with progress notifications only); LISTs use it once it is current. */
  async startCache(): Promise<void> {
    if (this.storage.progressNotify !== true || this.cache !== undefined) return;
    const cache = new WatchCache(this.storage, this.prefix, (kv, c) => this.decode(kv, c));
    this.cache = cache;
    await cache.start();
  }

  stopCache(): void {
    this.cache?.stop();
  }

  /** A consistent list from the watch cache, or undefined when it cannot serve this one. */
  private async listFromCache(prefix: string, p: ListParams): Promise<ListPage | undefined> {
    const cache = this.cache;
    if (cache === undefined || !cache.isReady()) return undefined;
    if (p.continue !== undefined && p.continue !== '') return undefined;
    const rv = p.resourceVersion ?? '';
    if (rv !== '' && rv !== '0' && p.resourceVersionMatch === 'Exact') return undefined;
    const want = rv !== '' && rv !== '0' && /^\d+$/.test(rv) ? Number(rv) : await this.storage.currentRevision();
    if (!(await cache.waitFor(want, 100))) return undefined;
    const revision = cache.revision;
    const limit = p.limit !== undefined && p.limit > 0 ? p.limit : 0;
    const items: StoredObject[] = [];
    const everything = selectsEverything(p.selection);
    let lastKey = '';
    let more = false;
    for (const obj of cache.range(prefix)) {
      if (limit > 0 && items.length >= limit) {
        more = true;
        break;
      }
      if (everything || selects(p.selection, this.r, obj)) {
        items.push(obj);
        lastKey = this.key(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      }
    }
    const page: ListPage = { items, resourceVersion: String(revision) };
    if (!more) return page;
    return { ...page, continue: encodeContinue(revision, `${lastKey.slice(prefix.length)}\u0000`) };
  }

  async get(namespace: string, name: string): Promise<StoredObject> {
    const { kv } = await this.storage.get(this.key(namespace, name));
    if (kv === null) throw ApiError.notFound(this.qualifiedResource, name);
    return this.decode(kv);
  }

  /**
   * Like tryGet, from the watch cache when it has the object (admission lookups, as upstream's plugins read their
   * informers); a miss still asks storage, so a just-created object is never reported missing.
   */
  async tryGetCached(namespace: string, name: string): Promise<StoredObject | undefined> {
    const hit = this.cache?.isReady() === true ? this.cache.get(this.key(namespace, name)) : undefined;
    return hit ?? this.tryGet(namespace, name);
  }

  async tryGet(namespace: string, name: string): Promise<StoredObject | undefined> {
    const { kv } = await this.storage.get(this.key(namespace, name));
    return kv === null ? undefined : this.decode(kv);
  }

  async list(namespace: string, p: ListParams): Promise<ListPage> {
    const prefix = this.nsPrefix(namespace);
    const cached = await this.listFromCache(prefix, p);
    if (cached !== undefined) return cached;
    let revision: number | undefined;
    let startKey: string | undefined;
    if (p.continue !== undefined && p.continue !== '') {
      if (p.resourceVersion !== undefined && p.resourceVersion !== '' && p.resourceVersion !== '0') {
        throw ApiError.badRequest('specifying resource version is not allowed when using continue');
      }
      const t = decodeContinue(p.continue);
      revision = t.rv;
      startKey = prefix + t.start;
      if (!startKey.startsWith(prefix)) throw ApiError.badRequest('invalid continue token: continue key is not valid');
    } else if (p.resourceVersion !== undefined && p.resourceVersion !== '' && p.resourceVersion !== '0') {
      const rv = parseRV(p.resourceVersion);
      const current = await this.storage.currentRevision();
      if (rv > current) {
        throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, {
          causes: [{ reason: 'ResourceVersionTooLarge', message: `Too large resource version` }],
          retryAfterSeconds: 1,
        });
      }
      if (p.resourceVersionMatch === 'Exact') revision = rv;
    }
    const limit = p.limit !== undefined && p.limit > 0 ? p.limit : 0;
    const items: StoredObject[] = [];
    let more = false;
    let lastKey = '';
    let readRevision = 0;
    try {
      // Fill the page even when the selection drops items, as upstream does.
      for (;;) {
        const want = limit > 0 ? Math.max(limit - items.length, 1) : 0;
        const res = await this.storage.list(prefix, { revision, limit: want > 0 ? Math.max(want, 50) : 0, startKey });
        readRevision = res.revision;
        revision = res.revision;
        let stoppedEarly = false;
        for (const kv of res.kvs) {
          if (limit > 0 && items.length >= limit) {
            stoppedEarly = true;
            break;
          }
          lastKey = kv.key;
          const obj = this.decode(kv);
          if (selects(p.selection, this.r, obj)) items.push(obj);
        }
        if (stoppedEarly) {
          more = true;
          break;
        }
        if (!res.more) break;
        if (limit === 0) {
          startKey = `${lastKey}\u0000`;
          continue;
        }
        if (items.length >= limit) {
          more = true;
          break;
        }
        startKey = `${lastKey}\u0000`;
      }
    } catch (e: unknown) {
      if (e instanceof CompactedError && p.continue !== undefined && p.continue !== '') {
        throw ApiError.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      this.translate(e, '');
    }
    const page: ListPage = { items, resourceVersion: String(readRevision) };
    if (more) return { ...page, continue: encodeContinue(readRevision, `${lastKey.slice(prefix.length)}\u0000`) };
    return page;
  }

  private async validateAndAdmit(op: Operation, obj: StoredObject, old: StoredObject | undefined, dryRun: boolean, statusOnly: boolean): Promise<void> {
    await this.admission.admit(op, this.r, obj, old, dryRun);
    // Allocations (service IPs, node ports) come before validation, as upstream's BeginCreate/BeginUpdate hooks do,
    // and are released when validation fails.
    if (!statusOnly) await this.admission.allocate?.(op, this.r, obj, old, dryRun);
    let errs: FieldError[];
    if (old === undefined) errs = validateCreate(obj, this.r);
    else if (statusOnly) errs = validateStatusUpdate(obj, old, this.r);
    else errs = validateUpdate(obj, old, this.r);
    if (errs.length > 0) {
      if (old === undefined && !statusOnly) this.admission.deleted?.(this.r, obj);
      throw ApiError.invalid(this.qualifiedKind, obj.metadata.name ?? '', errs);
    }
    if (!statusOnly && this.admission.validate !== undefined) {
      try {
        await this.admission.validate(op, this.r, obj, old, dryRun);
      } catch (e: unknown) {
        if (old === undefined) this.admission.deleted?.(this.r, obj);
        throw e;
      }
    }
  }

  /** Create. `obj` is a fresh storage-version object (mutated). Namespace already set by the caller. */
  async create(obj: StoredObject, opts: { dryRun?: boolean } = {}): Promise<StoredObject> {
    const meta = obj.metadata;
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      throw ApiError.internal('resourceVersion should not be set on objects to be created');
    }
    if ((meta.name === undefined || meta.name === '') && meta.generateName !== undefined && meta.generateName !== '') {
      meta.name = `${meta.generateName}${generateNameSuffix()}`;
    }
    // Defaulting happens at decode time upstream, before the registry stamps uid and creationTimestamp.
    applyDefaults(obj, this.r);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    delete meta.managedFields;
    if (!this.r.namespaced) delete meta.namespace;
    prepareForCreate(obj, this.r);
    await this.validateAndAdmit('CREATE', obj, undefined, opts.dryRun === true, false);
    if (opts.dryRun === true) return obj;
    const name = meta.name ?? '';
    try {
      const stored = this.encodeStored(obj);
      const kv = await this.storage.create(this.key(meta.namespace ?? '', name), stored.value);
      return this.adopt(obj, kv, stored.withResourceVersion);
    } catch (e: unknown) {
      this.admission.deleted?.(this.r, obj);
      return this.translate(e, name);
    }
  }

  /**
   * Upstream's GuaranteedUpdate: read, let `mutate` produce the new object from the current one, validate and
   * compare-and-swap; retry on a conflict unless the new object pins a resourceVersion.
   * `mutate` receives a deep copy it may change and return.
   */
  /** Writes of one key from this process go one at a time: no compare-and-swap storms on a hot object. */
  private readonly keyLocks = new Map<string, Promise<unknown>>();

  private async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.keyLocks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.keyLocks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.keyLocks.get(key) === tail) this.keyLocks.delete(key);
    }
  }

  async guaranteedUpdate(
    namespace: string,
    name: string,
    mutate: (current: StoredObject | undefined) => StoredObject | Promise<StoredObject>,
    opts: { dryRun?: boolean; subresource?: 'status' | 'binding' | 'finalize' | ''; allowCreate?: boolean } = {},
  ): Promise<{ object: StoredObject; created: boolean }> {
    const key = this.key(namespace, name);
    return this.withKeyLock(key, () => this.guaranteedUpdateLocked(key, name, mutate, opts));
  }

  private async guaranteedUpdateLocked(
    key: string,
    name: string,
    mutate: (current: StoredObject | undefined) => StoredObject | Promise<StoredObject>,
    opts: { dryRun?: boolean; subresource?: 'status' | 'binding' | 'finalize' | ''; allowCreate?: boolean },
  ): Promise<{ object: StoredObject; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      // As upstream's GuaranteedUpdate with a cached existing object: the first attempt starts from the newest
      // object this process has decoded or written, without a storage read. The compare-and-swap still checks it;
      // when an outcome could come from it being stale (a conflict, a pinned resourceVersion it does not match, an
      // error, no change), storage is read and, if it was stale, the next attempt starts from storage.
      const cached = attempt === 0 && opts.dryRun !== true ? this.decoded.get(key)?.obj : undefined;
      const current = cached ?? (await this.readCurrent(key));
      const stale = async (): Promise<boolean> => cached !== undefined && (await this.readCurrent(key))?.metadata.resourceVersion !== cached.metadata.resourceVersion;
      if (current === undefined && opts.allowCreate !== true) {
        // Still let mutate see nothing, so that the caller's errors come first (e.g. decoding).
        throw ApiError.notFound(this.qualifiedResource, name);
      }
      let next: StoredObject | 'unchanged';
      try {
        const mutated = await mutate(current === undefined ? undefined : cloneJson(current));
        if (current === undefined) {
          const created = await this.create(mutated, { dryRun: opts.dryRun });
          return { object: created, created: true };
        }
        const pinned = mutated.metadata.resourceVersion;
        if (pinned !== undefined && pinned !== '' && pinned !== current.metadata.resourceVersion) {
          throw ApiError.conflict(this.qualifiedResource, name, ApiError.optimisticLockMessage);
        }
        // An unconditional update applies to the latest object (upstream's AllowUnconditionalUpdate).
        const candidate: StoredObject = { ...mutated, metadata: { ...mutated.metadata, resourceVersion: current.metadata.resourceVersion } };
        const raw = opts.subresource === 'binding' || opts.subresource === 'finalize';
        next = raw ? candidate : await this.prepareUpdate(candidate, current, opts.subresource === 'status', opts.dryRun === true);
      } catch (e: unknown) {
        if (await stale()) continue;
        throw e;
      }
      if (next === 'unchanged') {
        if (await stale()) continue;
        return { object: current, created: false };
      }
      if (opts.dryRun === true) return { object: next, created: false };
      try {
        if (this.shouldDeleteDuringUpdate(next)) {
          const del = await this.storage.delete(key, Number(current.metadata.resourceVersion));
          this.forget(key);
          const gone = this.decode({ ...del.prevKv, value: this.encode(next), modRevision: del.revision }, false);
          this.admission.deleted?.(this.r, gone);
          return { object: gone, created: false };
        }
        const stored = this.encodeStored(next);
        const out = await this.storage.update(key, stored.value, Number(current.metadata.resourceVersion));
        return { object: this.adopt(next, out, stored.withResourceVersion), created: false };
      } catch (e: unknown) {
        // Always retry: a client-pinned resourceVersion is checked again against the fresh object above.
        if (e instanceof ConflictError && attempt < 50) continue;
        if (e instanceof KeyNotFoundError && attempt < 50) continue;
        return this.translate(e, name);
      }
    }
  }

  private shouldDeleteDuringUpdate(obj: StoredObject): boolean {
    const m = obj.metadata;
    if (m.deletionTimestamp === undefined || (m.finalizers ?? []).length > 0) return false;
    if (this.r.kind === 'Namespace' && this.r.group === '') {
      const spec = obj['spec'];
      const f = isRecord(spec) && Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
      return f.length === 0;
    }
    return (m.deletionGracePeriodSeconds ?? 0) === 0;
  }

  private async prepareUpdate(candidate: StoredObject, current: StoredObject, statusOnly: boolean, dryRun: boolean): Promise<StoredObject | 'unchanged'> {
    let next: StoredObject;
    if (statusOnly) {
      next = prepareForStatusUpdate(candidate, current);
    } else {
      next = candidate;
      applyDefaults(next, this.r);
      prepareForUpdate(next, current, this.r);
    }
    // Fields the client may not change through an update.
    const cm = current.metadata;
    const nm = next.metadata;
    // Upstream's BeforeUpdate: the existing UID when none is given (a different one fails validation as immutable).
    if (nm.uid === undefined || nm.uid === '') nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    if (cm.deletionTimestamp !== undefined) nm.deletionTimestamp = cm.deletionTimestamp;
    else delete nm.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    else delete nm.deletionGracePeriodSeconds;
    if (cm.generateName !== undefined && nm.generateName === undefined) nm.generateName = cm.generateName;
    delete nm.selfLink;
    delete nm.managedFields;
    if (!this.r.namespaced) delete nm.namespace;
    await this.validateAndAdmit('UPDATE', next, current, dryRun, statusOnly);
    const a = { ...next, metadata: { ...next.metadata, resourceVersion: undefined } };
    const b = { ...current, metadata: { ...current.metadata, resourceVersion: undefined } };
    if (deepEqual(a, b)) return 'unchanged';
    return next;
  }

  /** Delete with upstream's semantics: preconditions, finalizers, graceful deletion (pods), namespace termination. */
  async delete(namespace: string, name: string, opts: DeleteOptions): Promise<{ object: StoredObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    return this.withKeyLock(key, () => this.deleteLocked(key, namespace, name, opts));
  }

  private async deleteLocked(key: string, namespace: string, name: string, opts: DeleteOptions): Promise<{ object: StoredObject; deleted: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(namespace, name);
      const pre = opts.preconditions;
      // rest.BeforeDelete names the kind, not the resource, in these conflicts.
      if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
        throw ApiError.conflict(this.qualifiedKind, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid ?? ''}). The object might have been deleted and then recreated`);
      }
      if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw ApiError.conflict(this.qualifiedKind, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion ?? ''}). The object might have been modified`);
      }
      await this.admission.admit('DELETE', this.r, current, current, opts.dryRun === true);
      const marked = this.markForDeletion(current, opts);
      try {
        if (marked !== undefined) {
          if (opts.dryRun === true) return { object: marked, deleted: false };
          const out = await this.storage.update(key, this.encode(marked), Number(current.metadata.resourceVersion));
          return { object: this.decode(out), deleted: false };
        }
        if (opts.dryRun === true) return { object: current, deleted: true };
        const res = await this.storage.delete(key, Number(current.metadata.resourceVersion));
        this.forget(key);
        const gone = this.decode({ ...res.prevKv, modRevision: res.revision }, false);
        this.admission.deleted?.(this.r, gone);
        return { object: gone, deleted: true };
      } catch (e: unknown) {
        if ((e instanceof ConflictError || e instanceof KeyNotFoundError) && attempt < 50) {
          if (e instanceof KeyNotFoundError) throw ApiError.notFound(this.qualifiedResource, name);
          continue;
        }
        return this.translate(e, name);
      }
    }
  }

  /** The updated object when deletion must wait (finalizers, grace period, namespace content), else undefined (delete now). */
  private markForDeletion(current: StoredObject, opts: DeleteOptions): StoredObject | undefined {
    const obj = cloneJson(current) as StoredObject;
    const m = obj.metadata;
    const isNamespace = this.r.group === '' && this.r.kind === 'Namespace';
    const isPod = this.r.group === '' && this.r.kind === 'Pod';
    // Upstream's deletionFinalizersForGarbageCollection: the orphan and foregroundDeletion finalizers follow the
    // options, unless a graceful deletion is already pending (then DeleteOptions cannot change the finalizers).
    if (!isNamespace && !(isPod && this.gracefulDeletionPending(current, opts))) {
      const gc = deletionFinalizersForGarbageCollection(this.r.kind, m.finalizers ?? [], opts);
      if (gc !== undefined) m.finalizers = gc;
    }
    const finalizers = m.finalizers ?? [];
    if (isNamespace) {
      const spec = isRecord(obj['spec']) ? obj['spec'] : {};
      const specFinalizers = Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
      if (m.deletionTimestamp !== undefined) {
        return specFinalizers.length === 0 && finalizers.length === 0 ? undefined : obj;
      }
      if (specFinalizers.length === 0 && finalizers.length === 0) return undefined;
      m.deletionTimestamp = nowTimestamp();
      m.deletionGracePeriodSeconds = 0;
      obj['status'] = { ...(isRecord(obj['status']) ? obj['status'] : {}), phase: 'Terminating' };
      return obj;
    }
    if (isPod) {
      const spec = isRecord(obj['spec']) ? obj['spec'] : {};
      const status = isRecord(obj['status']) ? obj['status'] : {};
      let grace = opts.gracePeriodSeconds ?? (typeof spec['terminationGracePeriodSeconds'] === 'number' ? spec['terminationGracePeriodSeconds'] : 30);
      const nodeName = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
      if (nodeName === '' || status['phase'] === 'Succeeded' || status['phase'] === 'Failed') grace = 0;
      if (grace < 0) grace = 1;
      if (m.deletionTimestamp !== undefined) {
        // Already terminating: only a shorter grace period changes anything.
        const currentGrace = m.deletionGracePeriodSeconds ?? 0;
        if (grace >= currentGrace) return finalizers.length > 0 || currentGrace > 0 ? obj : undefined;
      }
      if (grace > 0) {
        m.deletionTimestamp = nowTimestamp(new Date(Date.now() + grace * 1000));
        m.deletionGracePeriodSeconds = grace;
        return obj;
      }
      if (finalizers.length > 0) {
        m.deletionTimestamp ??= nowTimestamp();
        m.deletionGracePeriodSeconds = 0;
        return obj;
      }
      return undefined;
    }
    if (finalizers.length > 0) {
      if (m.deletionTimestamp !== undefined) return obj;
      // Upstream's markAsDeleting bumps the generation of objects that track it.
      if (typeof m.generation === 'number' && m.generation > 0) m.generation += 1;
      m.deletionTimestamp = nowTimestamp();
      m.deletionGracePeriodSeconds = 0;
      return obj;
    }
    return undefined;
  }

  /** rest.BeforeDelete's gracefulPending for pods: already terminating with a grace period the request does not shorten. */
  private gracefulDeletionPending(current: StoredObject, opts: DeleteOptions): boolean {
    const m = current.metadata;
    const currentGrace = m.deletionGracePeriodSeconds ?? 0;
    if (m.deletionTimestamp === undefined || currentGrace <= 0) return false;
    if (opts.gracePeriodSeconds === undefined) return true;
    return (opts.gracePeriodSeconds < 0 ? 1 : opts.gracePeriodSeconds) >= currentGrace;
  }

  /** Upstream's finalizeDelete: the object itself for some resources, a Success Status for the rest. */
  deleteResult(obj: StoredObject, deleted: boolean): { returnObject: boolean } {
    return { returnObject: !deleted || deleteReturnsObject(this.r) };
  }

  /**
   * Watch changes after `fromRevision` that the selection picks; an object entering or leaving the selection
   * arrives as ADDED or DELETED, as upstream's watch filter does. Throws ApiError 410 for compacted revisions.
   */
  watch(namespace: string, fromRevision: number, selection: Selection, onEvents: (events: ObjectEvent[]) => void, onError: (e: ApiError) => void): WatchHandle {
    const prefix = this.nsPrefix(namespace);
    const everything = selectsEverything(selection);
    const decodeEvents = (events: readonly WatchEvent[]): ObjectEvent[] => {
      const out: ObjectEvent[] = [];
      for (const ev of events) {
        switch (ev.type) {
          case 'create': {
            const obj = this.decode(ev.kv);
            if (selects(selection, this.r, obj)) out.push({ type: 'ADDED', object: obj, revision: ev.kv.modRevision });
            break;
          }
          case 'update': {
            const obj = this.decode(ev.kv);
            const now = selects(selection, this.r, obj);
            const before = everything || selects(selection, this.r, this.decode(ev.prevKv, false));
            if (now && before) out.push({ type: 'MODIFIED', object: obj, revision: ev.kv.modRevision });
            else if (now) out.push({ type: 'ADDED', object: obj, revision: ev.kv.modRevision });
            else if (before) out.push({ type: 'DELETED', object: obj, revision: ev.kv.modRevision });
            break;
          }
          case 'delete': {
            this.forget(ev.kv.key);
            const obj = this.decode({ ...ev.prevKv, modRevision: ev.kv.modRevision }, false);
            if (selects(selection, this.r, obj)) out.push({ type: 'DELETED', object: obj, revision: ev.kv.modRevision });
            break;
          }
        }
      }
      return out;
    };
    try {
      return this.storage.watch(prefix, fromRevision, {
        onEvents: (events) => {
          const out = decodeEvents(events);
          if (out.length > 0) onEvents(out);
        },
        onError: (e) => {
          if (e instanceof CompactedError) onError(ApiError.expired(`too old resource version: ${e.requested} (${e.compacted})`));
          else onError(ApiError.internal(e.message));
        },
      });
    } catch (e: unknown) {
      if (e instanceof CompactedError) throw ApiError.expired(`too old resource version: ${e.requested} (${e.compacted})`);
      throw e;
    }
  }

  async currentRevision(): Promise<number> {
    return this.storage.currentRevision();
  }
}

/** The finalizer that makes the garbage collector orphan an object's dependents before it goes. */
export const finalizerOrphanDependents = 'orphan';
/** The finalizer that makes the garbage collector delete an object's dependents before it goes (foreground). */
export const finalizerDeleteDependents = 'foregroundDeletion';

/**
 * The garbage collection policy a kind defaults to when a delete names none (upstream's
 * DefaultGarbageCollectionPolicy): the versions that orphaned before server-side cascading deletion still do.
 */
export function defaultGarbageCollectionPolicy(kind: string, gv: { group: string; version: string } | undefined): 'OrphanDependents' | 'DeleteDependents' {
  const v = gv === undefined ? '' : gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
  switch (kind) {
    case 'ReplicaSet':
    case 'Deployment':
    case 'DaemonSet':
    case 'StatefulSet':
      return v === 'extensions/v1beta1' || v === 'apps/v1beta1' || v === 'apps/v1beta2' ? 'OrphanDependents' : 'DeleteDependents';
    case 'ReplicationController':
      return v === 'v1' ? 'OrphanDependents' : 'DeleteDependents';
    case 'Job':
      return v === 'batch/v1' ? 'OrphanDependents' : 'DeleteDependents';
    case 'CronJob':
      return v === 'batch/v1beta1' || v === 'batch/v2alpha1' ? 'OrphanDependents' : 'DeleteDependents';
    default:
      return 'DeleteDependents';
  }
}

/**
 * Upstream's deletionFinalizersForGarbageCollection: the object's finalizers with `orphan` and `foregroundDeletion`
 * set as the delete options (then the existing finalizers, then the kind's default) say; undefined when unchanged.
 */
export function deletionFinalizersForGarbageCollection(kind: string, finalizers: readonly string[], opts: DeleteOptions): string[] | undefined {
  const orphan = shouldOrphanDependents(kind, finalizers, opts);
  const foreground = shouldDeleteDependents(finalizers, opts);
  const next = finalizers.filter((f) => f !== finalizerOrphanDependents && f !== finalizerDeleteDependents);
  if (orphan) next.push(finalizerOrphanDependents);
  if (foreground) next.push(finalizerDeleteDependents);
  const before = new Set(finalizers);
  const after = new Set(next);
  if (before.size === after.size && [...after].every((f) => before.has(f))) return undefined;
  return next;
}

function shouldOrphanDependents(kind: string, finalizers: readonly string[], opts: DeleteOptions): boolean {
  if (opts.orphanDependents !== undefined) return opts.orphanDependents;
  if (opts.propagationPolicy !== undefined) return opts.propagationPolicy === 'Orphan';
  for (const f of finalizers) {
    if (f === finalizerOrphanDependents) return true;
    if (f === finalizerDeleteDependents) return false;
  }
  return defaultGarbageCollectionPolicy(kind, opts.requestGroupVersion) === 'OrphanDependents';
}

function shouldDeleteDependents(finalizers: readonly string[], opts: DeleteOptions): boolean {
  if (opts.orphanDependents !== undefined) return false;
  if (opts.propagationPolicy !== undefined) return opts.propagationPolicy === 'Foreground';
  for (const f of finalizers) {
    if (f === finalizerDeleteDependents) return true;
    if (f === finalizerOrphanDependents) return false;
  }
  return false;
}
