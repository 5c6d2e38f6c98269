// A quick in-process measure of the SQLite store, for comparing changes to its write path:
// `node .build/NAME/src/storage/sqlite/sqlite-storage-bench.js [seconds]`. Sixteen creators write ConfigMap-sized
// values while a seventeenth client reads one key in a loop; it prints creates/s, gets/s during the writes, the
// event loop's delay (how long the main thread was unavailable) and gets/s with no writes running.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openSqliteStorage } from './sqlite-storage.js';

const seconds = Number(process.argv[2] ?? '3');
const CREATORS = 16;
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
await storage.create('/registry/pods/bench/hot', value);
const openMs = Number(process.hrtime.bigint() - openStarted) / 1e6;

const delay = monitorEventLoopDelay({ resolution: 1 });
let stop = false;
let created = 0;
let gotWhileWriting = 0;
let next = 0;
delay.enable();
const started = process.hrtime.bigint();
const creators = Array.from({ length: CREATORS }, async () => {
  while (!stop) {
    await storage.create(`/registry/pods/bench/p-${next++}`, value);
    created += 1;
  }
});
const reader = (async () => {
  while (!stop) {
    await storage.get('/registry/pods/bench/hot');
    gotWhileWriting += 1;
    // Yield to I/O like a server would between requests.
    await new Promise<void>((r) => setImmediate(r));
  }
})();
setTimeout(() => (stop = true), seconds * 1000);
await Promise.all([...creators, reader]);
const writeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
delay.disable();

let gets = 0;
const getStarted = process.hrtime.bigint();
const getDeadline = Date.now() + 1000;
await Promise.all(
  Array.from({ length: CREATORS }, async () => {
    while (Date.now() < getDeadline) {
      await storage.get('/registry/pods/bench/hot');
      gets += 1;
    }
  }),
);
const getSeconds = Number(process.hrtime.bigint() - getStarted) / 1e9;
const closeStarted = process.hrtime.bigint();
await storage.close();
const closeMs = Number(process.hrtime.bigint() - closeStarted) / 1e6;
rmSync(dir, { recursive: true, force: true });

const ms = (ns: number): string => (ns / 1e6).toFixed(2);
console.log(
  JSON.stringify({
    openAndFirstWriteMs: Number(openMs.toFixed(1)),
    createsPerSecond: Math.round(created / writeSeconds),
    getsPerSecondWhileWriting: Math.round(gotWhileWriting / writeSeconds),
    eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    getsPerSecondIdle: Math.round(gets / getSeconds),
    closeMs: Number(closeMs.toFixed(1)),
  }),
);
