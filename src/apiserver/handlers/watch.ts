// Watch streams: newline-delimited JSON events, initial state, bookmarks, timeouts and 410 Gone.
import type { StoredObject } from '../../api/object.js';
import { apiVersionOf } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { RawJson, writeChunk, type Encoding, type Req, type Res } from '../http.js';
import type { ObjectEvent, ResourceStore } from '../registry/resource-store.js';
import { watchObject } from './output.js';
import { isTrue } from '../request-info.js';
import { parseSelection } from './selectors.js';

const bookmarkIntervalMs = 60_000;

/** Encoded event lines by object and event type, shared by every watcher that sends the object as plain JSON. */
const sharedEventLines = new WeakMap<object, Map<string, Buffer>>();

export async function serveWatch(
  req: Req,
  res: Res,
  r: ResourceInfo,
  store: ResourceStore,
  namespace: string,
  name: string,
  query: URLSearchParams,
  enc: Encoding,
  headers: Record<string, string[]>,
): Promise<void> {
  const selection = parseSelection(query, r, name !== '' ? `metadata.name=${name}` : undefined);
  const rvParam = query.get('resourceVersion') ?? '';
  const sendInitialParam = query.get('sendInitialEvents');
  const sendInitial = sendInitialParam === null ? null : isTrue(sendInitialParam) ? 'true' : 'false';
  const allowBookmarks = isTrue(query.get('allowWatchBookmarks'));
  const rvMatch = query.get('resourceVersionMatch') ?? '';
  if (sendInitial !== null) {
    if (rvMatch !== 'NotOlderThan') {
      throw ApiError.invalid({ group: 'meta.k8s.io', name: 'ListOptions' }, '', [
        { type: 'FieldValueForbidden', field: 'sendInitialEvents', badValue: '', detail: "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and resourceVersionMatch is set to NotOlderThan" },
      ]);
    }
    if (!allowBookmarks) {
      throw ApiError.invalid({ group: 'meta.k8s.io', name: 'ListOptions' }, '', [
        { type: 'FieldValueForbidden', field: 'allowWatchBookmarks', badValue: '', detail: 'allowWatchBookmarks must be set to true when sendInitialEvents is set' },
      ]);
    }
  } else if (rvMatch !== '') {
    throw ApiError.invalid({ group: 'meta.k8s.io', name: 'ListOptions' }, '', [
      { type: 'FieldValueForbidden', field: 'resourceVersionMatch', badValue: '', detail: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' },
    ]);
  }
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) {
    throw ApiError.invalid({ group: 'meta.k8s.io', name: 'ListOptions' }, '', [{ type: 'FieldValueInvalid', field: 'resourceVersion', badValue: rvParam, detail: 'must be a non-negative integer' }]);
  }
  const timeoutParam = query.get('timeoutSeconds');
  const timeoutMs = timeoutParam !== null && /^\d+$/.test(timeoutParam) ? Number(timeoutParam) * 1000 : (1800 + Math.floor(Math.random() * 1800)) * 1000;
  const initial = sendInitial === 'true' || rvParam === '' || (rvParam === '0' && sendInitial === null);

  let startRevision: number;
  let initialItems: StoredObject[] = [];
  if (initial) {
    const page = await store.list(namespace, { selection, resourceVersion: sendInitial === 'true' && rvParam !== '' && rvParam !== '0' ? rvParam : undefined });
    initialItems = page.items;
    startRevision = Number(page.resourceVersion);
  } else {
    startRevision = Number(rvParam);
  }

  let closed = false;
  let first = true;
  let lastRV = startRevision;
  const contentType = enc.as === 'Table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
  const line = (type: string, object: unknown): string =>
    object instanceof RawJson ? `{"type":"${type}","object":${object.text}}\n` : `${JSON.stringify({ type, object })}\n`;
  const write = (type: string, object: unknown): void => {
    if (closed) return;
    writeChunk(res, line(type, object));
  };
  const objectLine = (type: string, obj: StoredObject): string => {
    const text = line(type, watchObject(r, obj, enc, query, first));
    first = false;
    return text;
  };
  const writeObject = (type: string, obj: StoredObject): void => {
    if (!closed) writeChunk(res, objectLine(type, obj));
  };
  const bookmark = (extra?: Record<string, string>): void => {
    write('BOOKMARK', {
      kind: r.kind,
      apiVersion: apiVersionOf(r.group, r.version),
      metadata: { resourceVersion: String(lastRV), creationTimestamp: null, ...(extra !== undefined ? { annotations: extra } : {}) },
    });
  };

  let handle: { cancel(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    handle?.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  };

  // Plain JSON events of the storage version are the same bytes for every watcher: encoded once per object and type.
  const shared = enc.as === undefined && enc.kind === 'json' && r.group === r.storage.group && r.version === r.storage.version;
  const eventBytes = (type: string, obj: StoredObject): Buffer => {
    if (!shared) return Buffer.from(objectLine(type, obj));
    first = false;
    let byType = sharedEventLines.get(obj);
    if (byType === undefined) {
      byType = new Map();
      sharedEventLines.set(obj, byType);
    }
    let bytes = byType.get(type);
    if (bytes === undefined) {
      bytes = Buffer.from(line(type, watchObject(r, obj, enc, query, false)));
      byType.set(type, bytes);
    }
    return bytes;
  };
  const onEvents = (events: ObjectEvent[]): void => {
    if (closed) return;
    // One write per batch of events: fewer syscalls and frames when many watchers follow a burst of changes.
    const parts: Buffer[] = [];
    for (const ev of events) {
      lastRV = ev.revision;
      parts.push(eventBytes(ev.type, ev.object));
    }
    // Sent at once: the writers of these changes are answered in the continuations that follow, and their responses
    // must not overtake the events (a corked chunk waits for the next tick, after every continuation).
    writeChunk(res, parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), true);
  };
  const onError = (e: ApiError): void => {
    write('ERROR', e.toStatus());
    finish();
  };

  try {
    handle = store.watch(namespace, startRevision, selection, onEvents, onError);
  } catch (e: unknown) {
    if (e instanceof ApiError && e.code === 410) {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private', ...headers });
      write('ERROR', e.toStatus());
      res.end();
      return;
    }
    throw e;
  }
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private', ...headers });
  for (const obj of initialItems) writeObject('ADDED', obj);
  if (sendInitial === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  if (first) {
    // Flush headers so that clients see the stream start even with no events.
    const flush = (res as unknown as { flushHeaders?: () => void }).flushHeaders;
    if (typeof flush === 'function') flush.call(res);
  }
  timers.push(setTimeout(finish, timeoutMs));
  if (allowBookmarks) {
    const tick = (): void => {
      if (closed) return;
      bookmark();
      timers.push(setTimeout(tick, bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, bookmarkIntervalMs));
  }
  await new Promise<void>((resolve) => {
    const done = (): void => {
      finish();
      resolve();
    };
    req.on('close', done);
    res.on('close', done);
    res.on('finish', resolve);
  });
}
