import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { ApiError } from '../machinery/errors.js';
import { RestClient } from './rest-client.js';
import {
  decideAcquireOrRenew,
  defaultLeaderElectionIdentity,
  isLeaseValid,
  leaseSpecToRecord,
  microTime,
  observe,
  recordToLeaseSpec,
  releasedRecord,
  LeaderElector,
  validateLeaderElectionConfig,
  type LeaderElectionRecord,
} from './leader-election.js';

const record = (over: Partial<LeaderElectionRecord> = {}): LeaderElectionRecord => ({
  holderIdentity: 'a',
  leaseDurationSeconds: 15,
  acquireTime: '2024-05-01T10:00:00.000000Z',
  renewTime: '2024-05-01T10:00:10.000000Z',
  leaderTransitions: 3,
  ...over,
});

const desired = (identity: string): LeaderElectionRecord => ({
  holderIdentity: identity,
  leaseDurationSeconds: 15,
  acquireTime: '2024-05-01T10:01:00.123456Z',
  renewTime: '2024-05-01T10:01:00.123456Z',
  leaderTransitions: 0,
});

describe('microTime', () => {
  test('writes RFC 3339 in UTC with six fractional digits, as metav1.MicroTime', () => {
    assert.equal(microTime(Date.UTC(2024, 4, 1, 10, 0, 0, 123) + 0.456), '2024-05-01T10:00:00.123456Z');
    assert.equal(microTime(Date.UTC(2024, 4, 1, 10, 0, 0)), '2024-05-01T10:00:00.000000Z');
  });
});

describe('defaultLeaderElectionIdentity', () => {
  test('is the hostname, an underscore and a UUID', () => {
    assert.match(defaultLeaderElectionIdentity(), /^.+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('Lease spec and election record', () => {
  test('a record becomes a spec with every field, and back', () => {
    const r = record();
    const spec = recordToLeaseSpec(r);
    assert.deepEqual(spec, {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2024-05-01T10:00:00.000000Z',
      renewTime: '2024-05-01T10:00:10.000000Z',
      leaseTransitions: 3,
    });
    assert.deepEqual(leaseSpecToRecord(spec), r);
  });

  test('a released record still writes holderIdentity, as an empty string', () => {
    assert.equal(recordToLeaseSpec(releasedRecord(record(), '2024-05-01T10:02:00.000000Z')).holderIdentity, '');
  });

  test('missing spec fields read as zero values', () => {
    assert.deepEqual(leaseSpecToRecord(undefined), { holderIdentity: '', leaseDurationSeconds: 0, acquireTime: '', renewTime: '', leaderTransitions: 0 });
  });
});

describe('observe', () => {
  test('an unchanged record keeps the local time it was first seen at', () => {
    const first = observe(undefined, record(), 1000);
    assert.equal(observe(first, record(), 9000).time, 1000);
  });

  test('any change to the record, a renewal included, restarts the clock', () => {
    const first = observe(undefined, record(), 1000);
    assert.equal(observe(first, record({ renewTime: '2024-05-01T10:00:10.000001Z' }), 9000).time, 9000);
    assert.equal(observe(first, record({ holderIdentity: 'b' }), 9500).time, 9500);
  });
});

describe('isLeaseValid', () => {
  test('the lease runs for the record\'s leaseDurationSeconds from when the record was observed on the local clock', () => {
    const obs = observe(undefined, record({ leaseDurationSeconds: 15 }), 1000);
    assert.equal(isLeaseValid(obs, 15_999), true);
    assert.equal(isLeaseValid(obs, 16_000), false);
  });

  test('the remote renewTime is not trusted: a renewTime long past does not expire a freshly observed record', () => {
    const obs = observe(undefined, record({ renewTime: '2000-01-01T00:00:00.000000Z' }), 50_000);
    assert.equal(isLeaseValid(obs, 50_001), true);
  });
});

describe('decideAcquireOrRenew', () => {
  test('a candidate waits while another holder\'s record has changed within the lease duration', () => {
    const obs = observe(undefined, record({ holderIdentity: 'a' }), 0);
    assert.deepEqual(decideAcquireOrRenew('b', obs, 14_999, desired('b')), { action: 'wait', holder: 'a' });
  });

  test('a candidate takes over once the record has not changed for the lease duration, counting one more transition', () => {
    const obs = observe(undefined, record({ holderIdentity: 'a', leaderTransitions: 3 }), 0);
    assert.deepEqual(decideAcquireOrRenew('b', obs, 15_000, desired('b')), { action: 'acquire', record: { ...desired('b'), leaderTransitions: 4 } });
  });

  test('a released lock (no holder) is taken over at once', () => {
    const obs = observe(undefined, releasedRecord(record(), '2024-05-01T10:02:00.000000Z'), 0);
    const d = decideAcquireOrRenew('b', obs, 1, desired('b'));
    assert.equal(d.action, 'acquire');
    assert.equal(d.action === 'acquire' ? d.record.leaderTransitions : -1, 4);
  });

  test('the holder renews, keeping acquireTime and leaderTransitions, even when its lease has expired on its clock', () => {
    const obs = observe(undefined, record({ holderIdentity: 'a' }), 0);
    const expected = { action: 'renew', record: { ...desired('a'), acquireTime: '2024-05-01T10:00:00.000000Z', leaderTransitions: 3 } };
    assert.deepEqual(decideAcquireOrRenew('a', obs, 1, desired('a')), expected);
    assert.deepEqual(decideAcquireOrRenew('a', obs, 60_000, desired('a')), expected);
  });

  test('a record with a short leaseDurationSeconds expires sooner than the candidate\'s own lease duration', () => {
    const obs = observe(undefined, record({ holderIdentity: 'a', leaseDurationSeconds: 1 }), 0);
    assert.equal(decideAcquireOrRenew('b', obs, 999, desired('b')).action, 'wait');
    assert.equal(decideAcquireOrRenew('b', obs, 1000, desired('b')).action, 'acquire');
  });

  test('a coordinated election strategy on the Lease is kept when taking over', () => {
    const obs = observe(undefined, record({ holderIdentity: '', strategy: 'OldestEmulationVersion' }), 0);
    const d = decideAcquireOrRenew('b', obs, 0, desired('b'));
    assert.equal(d.action === 'acquire' ? d.record.strategy : undefined, 'OldestEmulationVersion');
  });
});

describe('releasedRecord', () => {
  test('has no holder, a one-second lease, the release time and the same transitions', () => {
    assert.deepEqual(releasedRecord(record({ leaderTransitions: 7 }), '2024-05-01T10:02:00.000000Z'), {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: '2024-05-01T10:02:00.000000Z',
      renewTime: '2024-05-01T10:02:00.000000Z',
      leaderTransitions: 7,
    });
  });
});

describe('validateLeaderElectionConfig', () => {
  test('accepts the upstream defaults of 15 s, 10 s and 2 s', () => {
    assert.doesNotThrow(() => validateLeaderElectionConfig(15_000, 10_000, 2_000, 'x'));
  });

  test('rejects what NewLeaderElector rejects, with its messages', () => {
    assert.throws(() => validateLeaderElectionConfig(10_000, 10_000, 2_000, 'x'), { message: 'leaseDuration must be greater than renewDeadline' });
    assert.throws(() => validateLeaderElectionConfig(15_000, 2_400, 2_000, 'x'), { message: 'renewDeadline must be greater than retryPeriod*JitterFactor' });
    assert.throws(() => validateLeaderElectionConfig(15_000, 10_000, 0, 'x'), { message: 'retryPeriod must be greater than zero' });
    assert.throws(() => validateLeaderElectionConfig(15_000, 10_000, 2_000, ''), { message: 'Lock identity is empty' });
  });

  test('rejects a lease duration under a second, which the Lease could not hold', () => {
    assert.throws(() => validateLeaderElectionConfig(900, 500, 200, 'x'), { message: 'leaseDuration must be at least one second' });
  });
});

/** One Lease kept in memory with resourceVersions, as the API server keeps it (GET, POST, PUT with 409 Conflict). */
class LeaseStore {
  lease: Lease | undefined;
  private rv = 0;

  handle(method: string, body: unknown): Lease {
    const conflict = (): ApiError => new ApiError(409, 'Conflict', 'Operation cannot be fulfilled on leases.coordination.k8s.io "l": the object has been modified; please apply your changes to the latest version and try again');
    switch (method) {
      case 'GET':
        if (this.lease === undefined) throw new ApiError(404, 'NotFound', 'leases.coordination.k8s.io "l" not found');
        return structuredClone(this.lease);
      case 'POST':
        if (this.lease !== undefined) throw new ApiError(409, 'AlreadyExists', 'leases.coordination.k8s.io "l" already exists');
        this.lease = { ...(body as Lease), metadata: { ...(body as Lease).metadata, resourceVersion: String(++this.rv) } };
        return structuredClone(this.lease);
      case 'PUT':
        if (this.lease === undefined) throw new ApiError(404, 'NotFound', 'leases.coordination.k8s.io "l" not found');
        if ((body as Lease).metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) throw conflict();
        this.lease = { ...(body as Lease), metadata: { ...(body as Lease).metadata, resourceVersion: String(++this.rv) } };
        return structuredClone(this.lease);
      default:
        throw new Error(`unexpected ${method}`);
    }
  }
}

/** A client of the store that can be cut off (every request fails, as when the server cannot be reached). */
class StoreClient extends RestClient {
  cutOff = false;

  constructor(private readonly store: LeaseStore) {
    super({ server: 'https://127.0.0.1:9', caPem: '' });
  }

  override async request<T = Record<string, unknown>>(method: string, _path: string, body?: unknown): Promise<T> {
    await new Promise((r) => setTimeout(r, 2));
    if (this.cutOff) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    return this.store.handle(method, body) as T;
  }
}

describe('LeaderElector', () => {
  test('a leader that cannot renew within the renew deadline stops leading before another takes over after the lease duration', async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    let leaders = 0;
    let maxLeaders = 0;
    const make = (id: string, client: RestClient): LeaderElector => {
      let leading = false;
      return new LeaderElector(client, {
        namespace: 'kube-system',
        name: 'l',
        identity: id,
        leaseDurationMs: 1000,
        renewDeadlineMs: 500,
        retryPeriodMs: 100,
        callbacks: {
          onStartedLeading: () => {
            leading = true;
            maxLeaders = Math.max(maxLeaders, ++leaders);
            events.push(`${id} started`);
          },
          onStoppedLeading: () => {
            if (leading) leaders--;
            leading = false;
            events.push(`${id} stopped`);
          },
        },
      });
    };
    const aClient = new StoreClient(store);
    const a = make('a', aClient);
    const b = make('b', new StoreClient(store));
    const aRun = a.run();
    const waitUntil = async (what: string, cond: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitUntil('a to lead', () => a.isLeader());
    void b.run();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.isLeader(), false);

    const cutAt = performance.now();
    aClient.cutOff = true;
    await aRun;
    const lostAfter = performance.now() - cutAt;
    assert.ok(lostAfter >= 400 && lostAfter < 800, `a stopped leading ${Math.round(lostAfter)} ms after it was cut off`);
    await waitUntil('b to lead', () => b.isLeader());
    const tookOverAfter = performance.now() - cutAt;
    assert.ok(tookOverAfter >= 800, `b took over ${Math.round(tookOverAfter)} ms after a was cut off`);
    assert.deepEqual(events, ['a started', 'a stopped', 'b started']);
    assert.equal(maxLeaders, 1);
    assert.equal(store.lease?.spec?.leaseTransitions, 1);
    await b.stop();
    assert.deepEqual(events, ['a started', 'a stopped', 'b started', 'b stopped']);
  });

  test('a candidate that loses the race to create the Lease waits for the winner', async () => {
    const store = new LeaseStore();
    const started: string[] = [];
    const newLeaders: string[] = [];
    const electors = ['a', 'b'].map(
      (id) =>
        new LeaderElector(new StoreClient(store), {
          namespace: 'kube-system',
          name: 'l',
          identity: id,
          leaseDurationMs: 1000,
          renewDeadlineMs: 500,
          retryPeriodMs: 100,
          callbacks: { onStartedLeading: () => void started.push(id), onStoppedLeading: () => undefined, onNewLeader: (l) => void newLeaders.push(`${id} sees ${l}`) },
        }),
    );
    for (const e of electors) void e.run();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(started.length, 1);
    const winner = started[0] ?? '';
    assert.equal(store.lease?.spec?.holderIdentity, winner);
    assert.deepEqual(newLeaders.sort(), [`a sees ${winner}`, `b sees ${winner}`]);
    await Promise.all(electors.map((e) => e.stop()));
  });
});
