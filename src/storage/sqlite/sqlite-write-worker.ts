// The worker thread that owns the SQLite store's write connection (started by SqliteStorage with the database file
// as workerData); it says 'ready' once that is open. Requests run strictly in the order posted. When it wakes it also takes every request that queued
// up meanwhile (posted while the previous transaction was fsyncing) and commits their writes together in one
// transaction; each transaction's results are posted back as soon as it has committed.

import { isMainThread, parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applyKinePragmas } from './kine-table.js';
import { SqliteWriter } from './sqlite-writer.js';
import { toWireError, type JobResult, type WriterData, type WriterReply, type WriterRequest } from './sqlite-write-protocol.js';

type WritesRequest = Extract<WriterRequest, { type: 'writes' }>;

function serve(port: MessagePort, db: Database.Database): void {
  const writer = new SqliteWriter(db);
  const post = (results: JobResult[]): void => {
    if (results.length > 0) port.postMessage({ type: 'committed', results } satisfies WriterReply);
  };

  /** Commits these write jobs in one transaction and posts their results. */
  const commit = (jobs: readonly WritesRequest[]): void => {
    if (jobs.length === 0) return;
    const results: JobResult[] = [];
    try {
      const outcomes = jobs.length === 1 ? writer.write(jobs[0]?.ops ?? []) : writer.write(jobs.flatMap((j) => j.ops));
      let at = 0;
      for (const job of jobs) {
        results.push({ id: job.id, ok: true, outcomes: outcomes.slice(at, at + job.ops.length) });
        at += job.ops.length;
      }
    } catch (e: unknown) {
      const error = toWireError(e);
      for (const job of jobs) results.push({ id: job.id, ok: false, error });
    }
    post(results);
  };

  const handle = (requests: readonly WriterRequest[]): void => {
    let group: WritesRequest[] = [];
    for (const request of requests) {
      switch (request.type) {
        case 'writes':
          group.push(request);
          break;
        case 'compact': {
          commit(group);
          group = [];
          try {
            writer.compact(request.revision);
            post([{ id: request.id, ok: true, outcomes: [] }]);
          } catch (e: unknown) {
            post([{ id: request.id, ok: false, error: toWireError(e) }]);
          }
          break;
        }
        case 'close':
          commit(group);
          db.close();
          port.close();
          return;
        default: {
          const never: never = request;
          throw new Error(`unknown request ${JSON.stringify(never)}`);
        }
      }
    }
    commit(group);
  };

  port.on('message', (first: WriterRequest) => {
    const requests: WriterRequest[] = [first];
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
      requests.push(next.message as WriterRequest);
    }
    handle(requests);
  });
  port.postMessage({ type: 'ready' } satisfies WriterReply);
}

if (isMainThread || !parentPort) throw new Error('sqlite-write-worker runs only as a worker thread');
const db = new Database((workerData as WriterData).file);
applyKinePragmas(db);
serve(parentPort, db);
