// A quick in-process measure of the SQLite store, for comparing changes to its write path:
// `node .build/NAME/src/storage/sqlite/sqlite-storage-bench.js [seconds]`. Three phases of `seconds` each:
// 1. sixteen creators write Pod-sized values: creates/s, and the main thread's busy time per create (event loop
//    utilization; an fsync counts when it blocks the main thread) and the event loop's delay;
// 2. the same plus a reader getting one key in a loop, yielding between gets as a server does between requests:
//    how many reads the main thread still serves while writes commit;
// 3. sixteen readers and no writes: gets/s.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openSqliteStorage } from './sqlite-storage.js';

const seconds = Number(process.argv[2] ?? '3');
const CLIENTS = 16;
const HOT = '/registry/pods/bench/hot';
const value = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'x', namespace: 'bench', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] },
  status: { phase: 'Pending' },
});

const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-bench-'));
const openStarted = process.hrtime.bigint();
const storage = openSqliteStorage(join(dir, 'db', 'state.db'));
await storage.create(HOT, value);
const openMs = Number(process.hrtime.bigint() - openStarted) / 1e6;
let next = 0;

function elapsed(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/** Creates with CLIENTS concurrent writers until `stop()` says so; the number created. */
async function createWhile(go: () => boolean): Promise<number> {
  let created = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (go()) {
        await storage.create(`/registry/pods/bench/p-${next++}`, value);
        created += 1;
      }
    }),
  );
  return created;
}

function until(deadline: number): () => boolean {
  return () => Date.now() < deadline;
}

// Phase 1: writes only.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const elu = performance.eventLoopUtilization();
const transactionsBefore = storage.writeStats().transactions;
let started = process.hrtime.bigint();
const created = await createWhile(until(Date.now() + seconds * 1000));
const writeSeconds = elapsed(started);
const busy = performance.eventLoopUtilization(elu);
const transactions = storage.writeStats().transactions - transactionsBefore;
delay.disable();

// Phase 2: writes and one reader.
let gotWhileWriting = 0;
const deadline = Date.now() + seconds * 1000;
started = process.hrtime.bigint();
const [createdWithReader] = await Promise.all([
  createWhile(until(deadline)),
  (async () => {
    while (Date.now() < deadline) {
      await storage.get(HOT);
      gotWhileWriting += 1;
      await new Promise<void>((r) => setImmediate(r));
    }
  })(),
]);
const mixedSeconds = elapsed(started);

// Phase 3: reads only.
let gets = 0;
const getDeadline = Date.now() + seconds * 1000;
started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (Date.now() < getDeadline) {
      await storage.get(HOT);
      gets += 1;
    }
  }),
);
const getSeconds = elapsed(started);

const closeStarted = process.hrtime.bigint();
await storage.close();
const closeMs = elapsed(closeStarted) * 1000;
rmSync(dir, { recursive: true, force: true });

const ms = (ns: number): number => Number((ns / 1e6).toFixed(2));
console.log(
  JSON.stringify({
    openAndFirstWriteMs: Number(openMs.toFixed(1)),
    createsPerSecond: Math.round(created / writeSeconds),
    writesPerTransaction: Number((created / Math.max(1, transactions)).toFixed(1)),
    mainThreadUtilization: Number(busy.utilization.toFixed(2)),
    mainThreadMsPerCreate: Number((busy.active / created).toFixed(4)),
    eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    withReader: {
      createsPerSecond: Math.round(createdWithReader / mixedSeconds),
      getsPerSecond: Math.round(gotWhileWriting / mixedSeconds),
    },
    getsPerSecondNoWrites: Math.round(gets / getSeconds),
    closeMs: Number(closeMs.toFixed(1)),
  }),
);
