// The one behaviour suite every Storage implementation passes (SQLite and etcd run it from their own test files).
// Each test opens a store and works under its own key root, so a shared backend (one etcd for the whole suite)
// serves every test; revisions are only ever compared with revisions the test itself produced.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type Storage,
  type WatchCallbacks,
  type WatchEvent,
  type WatchHandle,
} from './storage.js';

export interface OpenedStorage {
  readonly storage: Storage;
  cleanup(): Promise<void>;
}

const WAIT_MS = 10_000;

let roots = 0;
function freshRoot(): string {
  roots += 1;
  return `/conformance-${process.pid}-${Date.now().toString(36)}-${roots}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Records what a watch delivers, and waits for it. */
class WatchRecorder implements WatchCallbacks {
  readonly events: WatchEvent[] = [];
  readonly errors: Error[] = [];
  calls = 0;

  onEvents(events: readonly WatchEvent[]): void {
    this.calls += 1;
    this.events.push(...events);
  }

  onError(err: Error): void {
    this.errors.push(err);
  }

  async waitFor(what: string, ready: () => boolean): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!ready()) {
      if (this.errors.length > 0) throw new Error(`watch failed while waiting for ${what}: ${this.errors[0]?.message}`);
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map(describeEvent))}`);
      }
      await sleep(5);
    }
  }

  async waitForEvents(n: number): Promise<void> {
    await this.waitFor(`${n} events`, () => this.events.length >= n);
  }
}

function describeEvent(e: WatchEvent): string {
  return `${e.type} ${e.kv.key}@${e.kv.modRevision}`;
}

function assertStrictlyIncreasing(revisions: readonly number[]): void {
  for (let i = 1; i < revisions.length; i++) {
    const prev = revisions[i - 1] as number;
    const cur = revisions[i] as number;
    assert.ok(cur > prev, `revision ${cur} at position ${i} does not follow ${prev}`);
  }
}

/** A watch from a compacted revision fails with CompactedError, thrown at once or reported through onError. */
async function assertWatchCompacted(storage: Storage, prefix: string, fromRevision: number): Promise<void> {
  const recorder = new WatchRecorder();
  let handle: WatchHandle;
  try {
    handle = storage.watch(prefix, fromRevision, recorder);
  } catch (e: unknown) {
    assert.ok(e instanceof CompactedError, `expected CompactedError, got ${String(e)}`);
    assert.equal(e.requested, fromRevision);
    return;
  }
  try {
    const deadline = Date.now() + WAIT_MS;
    while (recorder.errors.length === 0 && Date.now() < deadline) await sleep(5);
    const err = recorder.errors[0];
    assert.ok(err instanceof CompactedError, `expected CompactedError, got ${String(err)}`);
    assert.equal(err.requested, fromRevision);
    assert.equal(recorder.events.length, 0);
  } finally {
    handle.cancel();
  }
}

export function runStorageConformance(name: string, open: () => Promise<OpenedStorage>): void {
  /** A test that gets a freshly opened store and its own key root. */
  const storageTest = (title: string, body: (storage: Storage, root: string) => Promise<void>): void => {
    test(title, async () => {
      const opened = await open();
      try {
        await body(opened.storage, freshRoot());
      } finally {
        await opened.cleanup();
      }
    });
  };

  describe(`${name} storage conformance`, () => {
    describe('create and get', () => {
      storageTest('create returns a kv whose create and mod revisions are the new store revision', async (s, root) => {
        const before = await s.currentRevision();
        const kv = await s.create(`${root}/a`, '{"n":1}');
        assert.deepEqual(kv, { key: `${root}/a`, value: '{"n":1}', createRevision: kv.modRevision, modRevision: kv.modRevision });
        assert.ok(kv.modRevision > before);
        assert.equal(await s.currentRevision(), kv.modRevision);
        const got = await s.get(`${root}/a`);
        assert.deepEqual(got.kv, kv);
        assert.equal(got.revision, kv.modRevision);
      });

      storageTest('get of a missing key returns null at the current revision', async (s, root) => {
        await s.create(`${root}/present`, '{}');
        const got = await s.get(`${root}/absent`);
        assert.equal(got.kv, null);
        assert.equal(got.revision, await s.currentRevision());
      });

      storageTest('create of an existing key fails with KeyExistsError and writes nothing', async (s, root) => {
        const kv = await s.create(`${root}/a`, '{"n":1}');
        await assert.rejects(s.create(`${root}/a`, '{"n":2}'), (e: unknown) => {
          assert.ok(e instanceof KeyExistsError);
          assert.equal(e.key, `${root}/a`);
          return true;
        });
        assert.deepEqual((await s.get(`${root}/a`)).kv, kv);
        assert.equal(await s.currentRevision(), kv.modRevision);
      });

      storageTest('a deleted key can be created again with a new create revision', async (s, root) => {
        const first = await s.create(`${root}/a`, '{"n":1}');
        await s.delete(`${root}/a`);
        const again = await s.create(`${root}/a`, '{"n":2}');
        assert.ok(again.createRevision > first.createRevision);
        assert.equal(again.createRevision, again.modRevision);
        assert.deepEqual((await s.get(`${root}/a`)).kv, again);
      });

      storageTest('values round-trip byte for byte, including non-ASCII JSON', async (s, root) => {
        const value = JSON.stringify({ name: 'ünïcødé ✓ 🚀', nested: { list: [1, 2, 3] }, quote: '"\\' });
        await s.create(`${root}/a`, value);
        assert.equal((await s.get(`${root}/a`)).kv?.value, value);
      });
    });

    describe('update and delete', () => {
      storageTest('update with the current revision replaces the value and keeps the create revision', async (s, root) => {
        const created = await s.create(`${root}/a`, '{"n":1}');
        const updated = await s.update(`${root}/a`, '{"n":2}', created.modRevision);
        assert.equal(updated.value, '{"n":2}');
        assert.equal(updated.createRevision, created.createRevision);
        assert.ok(updated.modRevision > created.modRevision);
        assert.deepEqual((await s.get(`${root}/a`)).kv, updated);
      });

      storageTest('update with a stale revision fails with ConflictError carrying the current kv', async (s, root) => {
        const created = await s.create(`${root}/a`, '{"n":1}');
        const updated = await s.update(`${root}/a`, '{"n":2}', created.modRevision);
        await assert.rejects(s.update(`${root}/a`, '{"n":3}', created.modRevision), (e: unknown) => {
          assert.ok(e instanceof ConflictError);
          assert.equal(e.key, `${root}/a`);
          assert.deepEqual(e.current, updated);
          return true;
        });
        assert.deepEqual((await s.get(`${root}/a`)).kv, updated);
      });

      storageTest('update and delete of a missing or deleted key fail with KeyNotFoundError', async (s, root) => {
        const isNotFound = (e: unknown): boolean => e instanceof KeyNotFoundError && e.key.startsWith(root);
        await assert.rejects(s.update(`${root}/never`, '{}', 1), isNotFound);
        await assert.rejects(s.delete(`${root}/never`), isNotFound);
        await assert.rejects(s.delete(`${root}/never`, 1), isNotFound);
        const kv = await s.create(`${root}/gone`, '{}');
        await s.delete(`${root}/gone`);
        await assert.rejects(s.update(`${root}/gone`, '{}', kv.modRevision), isNotFound);
        await assert.rejects(s.delete(`${root}/gone`), isNotFound);
        await assert.rejects(s.delete(`${root}/gone`, kv.modRevision), isNotFound);
      });

      storageTest('delete with a mismatched expected revision fails with ConflictError and keeps the key', async (s, root) => {
        const created = await s.create(`${root}/a`, '{"n":1}');
        const updated = await s.update(`${root}/a`, '{"n":2}', created.modRevision);
        await assert.rejects(s.delete(`${root}/a`, created.modRevision), (e: unknown) => {
          assert.ok(e instanceof ConflictError);
          assert.deepEqual(e.current, updated);
          return true;
        });
        assert.deepEqual((await s.get(`${root}/a`)).kv, updated);
      });

      storageTest('delete with the matching expected revision returns the deleted kv and the delete revision', async (s, root) => {
        const created = await s.create(`${root}/a`, '{"n":1}');
        const deleted = await s.delete(`${root}/a`, created.modRevision);
        assert.deepEqual(deleted.prevKv, created);
        assert.ok(deleted.revision > created.modRevision);
        assert.equal(await s.currentRevision(), deleted.revision);
        assert.equal((await s.get(`${root}/a`)).kv, null);
      });

      storageTest('delete without an expected revision deletes whatever is there', async (s, root) => {
        const created = await s.create(`${root}/a`, '{"n":1}');
        const updated = await s.update(`${root}/a`, '{"n":2}', created.modRevision);
        const deleted = await s.delete(`${root}/a`);
        assert.deepEqual(deleted.prevKv, updated);
        assert.equal((await s.get(`${root}/a`)).kv, null);
      });

      storageTest('revisions strictly increase across creates, updates and deletes', async (s, root) => {
        const revisions: number[] = [await s.currentRevision()];
        const record = async (rev: number): Promise<void> => {
          revisions.push(rev);
          assert.equal(await s.currentRevision(), rev);
        };
        const a = await s.create(`${root}/a`, '1');
        await record(a.modRevision);
        const b = await s.create(`${root}/b`, '1');
        await record(b.modRevision);
        const a2 = await s.update(`${root}/a`, '2', a.modRevision);
        await record(a2.modRevision);
        await record((await s.delete(`${root}/b`)).revision);
        await record((await s.create(`${root}/b`, '3')).modRevision);
        await record((await s.delete(`${root}/a`, a2.modRevision)).revision);
        assertStrictlyIncreasing(revisions);
      });

      storageTest('failing writes in the same burst do not fail the others', async (s, root) => {
        const existing = await s.create(`${root}/existing`, '{}');
        const stale = await s.create(`${root}/stale`, '{"n":1}');
        await s.update(`${root}/stale`, '{"n":2}', stale.modRevision);
        const results = await Promise.allSettled([
          s.create(`${root}/new1`, '{}'),
          s.create(`${root}/existing`, '{}'),
          s.update(`${root}/stale`, '{"n":3}', stale.modRevision),
          s.delete(`${root}/missing`),
          s.update(`${root}/existing`, '{"n":1}', existing.modRevision),
          s.create(`${root}/new2`, '{}'),
        ]);
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled'],
        );
        const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : null));
        assert.ok(reasons[1] instanceof KeyExistsError);
        assert.ok(reasons[2] instanceof ConflictError);
        assert.ok(reasons[3] instanceof KeyNotFoundError);
        const listed = await s.list(`${root}/`);
        assert.deepEqual(
          listed.kvs.map((kv) => kv.key),
          [`${root}/existing`, `${root}/new1`, `${root}/new2`, `${root}/stale`],
        );
      });
    });

    describe('list and count', () => {
      storageTest('list at an old revision returns the state as of that revision', async (s, root) => {
        const p = `${root}/items/`;
        const a1 = await s.create(`${p}a`, 'a1');
        const b1 = await s.create(`${p}b`, 'b1');
        const a2 = await s.update(`${p}a`, 'a2', a1.modRevision);
        const bDel = await s.delete(`${p}b`);
        const c1 = await s.create(`${p}c`, 'c1');
        const at = async (revision: number): Promise<string[]> => {
          const res = await s.list(p, { revision });
          assert.equal(res.revision, revision);
          assert.equal(res.more, false);
          return res.kvs.map((kv) => `${kv.key.slice(p.length)}=${kv.value}@${kv.modRevision}`);
        };
        assert.deepEqual(await at(a1.modRevision), [`a=a1@${a1.modRevision}`]);
        assert.deepEqual(await at(b1.modRevision), [`a=a1@${a1.modRevision}`, `b=b1@${b1.modRevision}`]);
        assert.deepEqual(await at(a2.modRevision), [`a=a2@${a2.modRevision}`, `b=b1@${b1.modRevision}`]);
        assert.deepEqual(await at(bDel.revision), [`a=a2@${a2.modRevision}`]);
        assert.deepEqual(await at(c1.modRevision), [`a=a2@${a2.modRevision}`, `c=c1@${c1.modRevision}`]);
        const latest = await s.list(p);
        assert.equal(latest.revision, await s.currentRevision());
        assert.deepEqual(latest.kvs, [a2, c1]);
      });

      storageTest('list at a future revision is refused', async (s, root) => {
        await s.create(`${root}/a`, '{}');
        const current = await s.currentRevision();
        await assert.rejects(s.list(`${root}/`, { revision: current + 1000 }), /future revision/);
      });

      storageTest('list pages with limit and startKey and reports more and remaining', async (s, root) => {
        const p = `${root}/pods/`;
        for (const k of ['k0', 'k1', 'k2', 'k3', 'k4']) await s.create(`${p}${k}`, `"${k}"`);
        const first = await s.list(p, { limit: 2 });
        assert.deepEqual(first.kvs.map((kv) => kv.key), [`${p}k0`, `${p}k1`]);
        assert.equal(first.more, true);
        if (first.remaining !== undefined) assert.equal(first.remaining, 3);
        // A write between pages is not seen by a continuation pinned at the first page's revision.
        await s.create(`${p}k2a`, '"k2a"');
        const second = await s.list(p, { limit: 2, revision: first.revision, startKey: `${p}k1\u0000` });
        assert.deepEqual(second.kvs.map((kv) => kv.key), [`${p}k2`, `${p}k3`]);
        assert.equal(second.more, true);
        if (second.remaining !== undefined) assert.equal(second.remaining, 1);
        const third = await s.list(p, { limit: 2, revision: first.revision, startKey: `${p}k3\u0000` });
        assert.deepEqual(third.kvs.map((kv) => kv.key), [`${p}k4`]);
        assert.equal(third.more, false);
        if (third.remaining !== undefined) assert.equal(third.remaining, 0);
        const inclusive = await s.list(p, { startKey: `${p}k2a` });
        assert.deepEqual(inclusive.kvs.map((kv) => kv.key), [`${p}k2a`, `${p}k3`, `${p}k4`]);
        const all = await s.list(p, { limit: 0 });
        assert.equal(all.kvs.length, 6);
        assert.equal(all.more, false);
        const exact = await s.list(p, { limit: 6 });
        assert.equal(exact.kvs.length, 6);
        assert.equal(exact.more, false);
      });

      storageTest('list, count and watch keep /registry/pods/ apart from /registry/podsx/', async (s, root) => {
        const pods = `${root}/registry/pods/`;
        const podsx = `${root}/registry/podsx/`;
        const watched = new WatchRecorder();
        const handle = s.watch(pods, await s.currentRevision(), watched);
        try {
          await s.create(`${podsx}default/x`, '"x"');
          await s.create(`${root}/registry/pods`, '"bare"');
          await s.create(`${pods}default/a`, '"a"');
          await s.create(`${pods}kube-system/b`, '"b"');
          await s.create(`${root}/registry/podsy`, '"y"');
          const listed = await s.list(pods);
          assert.deepEqual(listed.kvs.map((kv) => kv.key), [`${pods}default/a`, `${pods}kube-system/b`]);
          assert.deepEqual((await s.list(podsx)).kvs.map((kv) => kv.key), [`${podsx}default/x`]);
          assert.equal((await s.count(pods)).count, 2);
          assert.equal((await s.count(podsx)).count, 1);
          assert.equal((await s.count(`${root}/registry/`)).count, 5);
          await watched.waitForEvents(2);
          await sleep(50);
          assert.deepEqual(watched.events.map((e) => e.kv.key), [`${pods}default/a`, `${pods}kube-system/b`]);
        } finally {
          handle.cancel();
        }
      });

      storageTest('count counts the live keys under a prefix at the current revision', async (s, root) => {
        const p = `${root}/cm/`;
        assert.equal((await s.count(p)).count, 0);
        const a = await s.create(`${p}a`, '1');
        await s.create(`${p}b`, '1');
        await s.update(`${p}a`, '2', a.modRevision);
        await s.create(`${p}c`, '1');
        await s.delete(`${p}b`);
        const counted = await s.count(p);
        assert.equal(counted.count, 2);
        assert.equal(counted.revision, await s.currentRevision());
      });
    });

    describe('watch', () => {
      storageTest('watch from a past revision replays history then delivers live events in order', async (s, root) => {
        const p = `${root}/w/`;
        const created: KeyValue[] = [];
        for (let i = 0; i < 5; i++) created.push(await s.create(`${p}k${i}`, `${i}`));
        const from = (created[1] as KeyValue).modRevision;
        const recorder = new WatchRecorder();
        const handle = s.watch(p, from, recorder);
        try {
          // Writes racing with the replay must come after it, once each, in revision order.
          const live: Promise<KeyValue>[] = [];
          for (let i = 5; i < 10; i++) live.push(s.create(`${p}k${i}`, `${i}`));
          const liveKvs = (await Promise.all(live)).sort((x, y) => x.modRevision - y.modRevision);
          const updated = await s.update(`${p}k0`, 'changed', (created[0] as KeyValue).modRevision);
          await recorder.waitForEvents(9);
          await sleep(50);
          assertStrictlyIncreasing(recorder.events.map((e) => e.kv.modRevision));
          assert.deepEqual(recorder.events, [
            ...created.slice(2).map((kv) => ({ type: 'create', kv })),
            ...liveKvs.map((kv) => ({ type: 'create', kv })),
            { type: 'update', kv: updated, prevKv: created[0] },
          ]);
        } finally {
          handle.cancel();
        }
      });

      storageTest('watch reports create, update and delete with the previous kv', async (s, root) => {
        const p = `${root}/w/`;
        const recorder = new WatchRecorder();
        const handle = s.watch(p, await s.currentRevision(), recorder);
        try {
          const created = await s.create(`${p}a`, '{"v":1}');
          const updated = await s.update(`${p}a`, '{"v":2}', created.modRevision);
          const deleted = await s.delete(`${p}a`);
          await recorder.waitForEvents(3);
          assert.deepEqual(recorder.events, [
            { type: 'create', kv: created },
            { type: 'update', kv: updated, prevKv: created },
            {
              type: 'delete',
              kv: { key: `${p}a`, value: '{"v":2}', createRevision: created.createRevision, modRevision: deleted.revision },
              prevKv: updated,
            },
          ]);
        } finally {
          handle.cancel();
        }
      });

      storageTest('watch from the current revision sees only later writes', async (s, root) => {
        const p = `${root}/w/`;
        await s.create(`${p}before`, '1');
        const recorder = new WatchRecorder();
        const handle = s.watch(p, await s.currentRevision(), recorder);
        try {
          const after = await s.create(`${p}after`, '1');
          await recorder.waitForEvents(1);
          await sleep(50);
          assert.deepEqual(recorder.events, [{ type: 'create', kv: after }]);
        } finally {
          handle.cancel();
        }
      });

      storageTest('cancel stops callbacks', async (s, root) => {
        const p = `${root}/w/`;
        const recorder = new WatchRecorder();
        const handle = s.watch(p, await s.currentRevision(), recorder);
        await s.create(`${p}a`, '1');
        await recorder.waitForEvents(1);
        handle.cancel();
        const callsAtCancel = recorder.calls;
        await s.create(`${p}b`, '1');
        await s.create(`${p}c`, '1');
        await sleep(200);
        assert.equal(recorder.calls, callsAtCancel);
        assert.equal(recorder.events.length, 1);
        assert.deepEqual(recorder.errors, []);
        handle.cancel();
      });

      storageTest('many watchers on overlapping prefixes each get their own ordered events', async (s, root) => {
        const recorders = [new WatchRecorder(), new WatchRecorder(), new WatchRecorder()];
        const from = await s.currentRevision();
        const handles = [
          s.watch(`${root}/`, from, recorders[0] as WatchRecorder),
          s.watch(`${root}/a/`, from, recorders[1] as WatchRecorder),
          s.watch(`${root}/b/`, from, recorders[2] as WatchRecorder),
        ];
        try {
          await Promise.all([0, 1, 2, 3, 4, 5].map((i) => s.create(`${root}/${i % 2 ? 'a' : 'b'}/${i}`, '1')));
          await (recorders[0] as WatchRecorder).waitForEvents(6);
          await (recorders[1] as WatchRecorder).waitForEvents(3);
          await (recorders[2] as WatchRecorder).waitForEvents(3);
          for (const r of recorders) assertStrictlyIncreasing(r.events.map((e) => e.kv.modRevision));
          assert.ok((recorders[1] as WatchRecorder).events.every((e) => e.kv.key.startsWith(`${root}/a/`)));
          assert.ok((recorders[2] as WatchRecorder).events.every((e) => e.kv.key.startsWith(`${root}/b/`)));
        } finally {
          for (const h of handles) h.cancel();
        }
      });
    });

    describe('compaction', () => {
      storageTest('after compaction, reads and watches below the compacted revision fail with CompactedError', async (s, root) => {
        const p = `${root}/c/`;
        const a1 = await s.create(`${p}a`, 'a1');
        const a2 = await s.update(`${p}a`, 'a2', a1.modRevision);
        await s.create(`${p}b`, 'b1');
        const bDel = await s.delete(`${p}b`);
        const a3 = await s.update(`${p}a`, 'a3', a2.modRevision);
        await s.compact(bDel.revision);
        assert.ok((await s.compactedRevision()) >= bDel.revision);
        await assert.rejects(s.list(p, { revision: a1.modRevision }), (e: unknown) => {
          assert.ok(e instanceof CompactedError, String(e));
          assert.equal(e.requested, a1.modRevision);
          return true;
        });
        await assertWatchCompacted(s, p, a1.modRevision);
        // The compacted revision itself and everything after it stay readable.
        assert.deepEqual((await s.list(p, { revision: bDel.revision })).kvs, [a2]);
        assert.deepEqual((await s.list(p)).kvs, [a3]);
        assert.deepEqual((await s.get(`${p}a`)).kv, a3);
        const recorder = new WatchRecorder();
        const handle = s.watch(p, bDel.revision, recorder);
        try {
          await recorder.waitForEvents(1);
          assert.deepEqual(recorder.events, [{ type: 'update', kv: a3, prevKv: a2 }]);
        } finally {
          handle.cancel();
        }
        // Keys whose tombstones were compacted away can be created again, and updates keep working.
        const b2 = await s.create(`${p}b`, 'b2');
        assert.equal(b2.createRevision, b2.modRevision);
        const a4 = await s.update(`${p}a`, 'a4', a3.modRevision);
        assert.equal(a4.createRevision, a1.createRevision);
        // Compacting again at or below the compacted revision changes nothing.
        await s.compact(a1.modRevision);
        assert.ok((await s.compactedRevision()) >= bDel.revision);
      });

      storageTest('a watch replaying history ahead of a compaction still delivers every event', async (s, root) => {
        const p = `${root}/c/`;
        let last = await s.create(`${p}k`, '0');
        const from = last.modRevision;
        for (let i = 1; i <= 20; i++) last = await s.update(`${p}k`, `${i}`, last.modRevision);
        const recorder = new WatchRecorder();
        const handle = s.watch(p, from, recorder);
        try {
          await recorder.waitForEvents(20);
          await s.compact(last.modRevision);
          const next = await s.update(`${p}k`, 'after', last.modRevision);
          await recorder.waitForEvents(21);
          assert.deepEqual(recorder.events[20], { type: 'update', kv: next, prevKv: last });
          assertStrictlyIncreasing(recorder.events.map((e) => e.kv.modRevision));
        } finally {
          handle.cancel();
        }
      });
    });

    describe('concurrency', () => {
      storageTest('200 concurrent creates all get distinct revisions and are all visible', async (s, root) => {
        const p = `${root}/many/`;
        const keys = Array.from({ length: 200 }, (_, i) => `${p}${String(i).padStart(3, '0')}`);
        const kvs = await Promise.all(keys.map((k) => s.create(k, JSON.stringify({ k }))));
        const revisions = kvs.map((kv) => kv.modRevision);
        assert.equal(new Set(revisions).size, 200);
        for (const kv of kvs) assert.equal(kv.createRevision, kv.modRevision);
        const listed = await s.list(p);
        assert.deepEqual(listed.kvs.map((kv) => kv.key), keys);
        assert.equal(listed.revision, Math.max(...revisions));
        assert.equal((await s.count(p)).count, 200);
      });

      storageTest('concurrent compare-and-swap updates of one key: exactly one wins each round', async (s, root) => {
        let current = await s.create(`${root}/counter`, '0');
        for (let round = 1; round <= 10; round++) {
          const expected = current.modRevision;
          const results = await Promise.allSettled(
            Array.from({ length: 8 }, (_, i) => s.update(`${root}/counter`, `${round}:${i}`, expected)),
          );
          const winners = results.filter((r): r is PromiseFulfilledResult<KeyValue> => r.status === 'fulfilled');
          assert.equal(winners.length, 1, `round ${round}: ${winners.length} winners`);
          const winner = (winners[0] as PromiseFulfilledResult<KeyValue>).value;
          for (const r of results) {
            if (r.status === 'rejected') {
              assert.ok(r.reason instanceof ConflictError);
              assert.deepEqual(r.reason.current, winner);
            }
          }
          assert.deepEqual((await s.get(`${root}/counter`)).kv, winner);
          current = winner;
        }
      });
    });
  });
}
