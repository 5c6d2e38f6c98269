// Live: two candidates in this process elect a leader over a Lease in kube-system of a real k8ts server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { K8tsServer, sleep, waitFor } from '../../test/e2e/support/server.js';
import { ApiError } from '../machinery/errors.js';
import { readKubeconfig } from './kubeconfig.js';
import { defaultLeaderElectionIdentity, LEADER_ELECTION_NAMESPACE, LeaderElector } from './leader-election.js';
import { RestClient } from './rest-client.js';

const leaseDurationMs = 2000;
const renewDeadlineMs = 1000;
const retryPeriodMs = 200;

/** A client whose PUTs can be held back (to make a candidate write with a stale resourceVersion), counting 409s. */
class GatedClient extends RestClient {
  gate: Promise<void> | undefined;
  putsWaiting = 0;
  conflicts = 0;

  override async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    if (method === 'PUT' && this.gate !== undefined) {
      this.putsWaiting++;
      await this.gate;
      this.putsWaiting--;
    }
    try {
      return await super.request<T>(method, path, body, contentType);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 409) this.conflicts++;
      throw e;
    }
  }
}

/** Leaders at the same time, over every candidate of a test: must never exceed one. */
class LeadershipLog {
  current = 0;
  max = 0;
}

class Candidate {
  leading = false;
  started = 0;
  aborted = false;
  readonly newLeaders: string[] = [];
  readonly elector: LeaderElector;
  running: Promise<void> | undefined;

  constructor(client: RestClient, name: string, identity: string, releaseOnCancel: boolean, readonly log: LeadershipLog) {
    this.elector = new LeaderElector(client, {
      namespace: LEADER_ELECTION_NAMESPACE,
      name,
      identity,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
      releaseOnCancel,
      callbacks: {
        onStartedLeading: (signal) => {
          this.started++;
          this.leading = true;
          log.current++;
          log.max = Math.max(log.max, log.current);
          signal.addEventListener('abort', () => (this.aborted = true));
        },
        onStoppedLeading: () => {
          if (this.leading) log.current--;
          this.leading = false;
        },
        onNewLeader: (id) => this.newLeaders.push(id),
      },
    });
  }

  get identity(): string {
    return this.elector.identity;
  }

  start(): void {
    this.running = this.elector.run();
  }
}

describe('leader election against a real server', () => {
  let server: K8tsServer;
  let client: RestClient;
  const candidates: Candidate[] = [];

  before(async () => {
    server = await K8tsServer.start();
    client = new RestClient(readKubeconfig(server.kubeconfig));
  });

  after(async () => {
    await Promise.all(candidates.map((c) => c.elector.stop()));
    client.close();
    await server.destroy();
  });

  const candidate = (name: string, identity: string, releaseOnCancel: boolean, log: LeadershipLog, c: RestClient = client): Candidate => {
    const cand = new Candidate(c, name, identity, releaseOnCancel, log);
    candidates.push(cand);
    return cand;
  };
  const getLease = (name: string): Promise<Lease> => client.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`);

  test('of two candidates exactly one leads, writes the Lease as upstream does, and the other learns who it is', async (t) => {
    const log = new LeadershipLog();
    const a = candidate('le-one', defaultLeaderElectionIdentity(), true, log);
    const b = candidate('le-one', defaultLeaderElectionIdentity(), true, log);
    a.start();
    b.start();
    await waitFor('a leader', () => a.leading || b.leading, 5000);
    await sleep(1500);
    assert.equal(log.max, 1);
    assert.equal(log.current, 1);
    const [leader, follower] = a.leading ? [a, b] : [b, a];
    assert.equal(leader.elector.isLeader(), true);
    assert.equal(follower.elector.isLeader(), false);
    assert.equal(follower.elector.getLeader(), leader.identity);
    assert.deepEqual(follower.newLeaders, [leader.identity]);

    const spec = (await getLease('le-one')).spec ?? {};
    assert.equal(spec.holderIdentity, leader.identity);
    assert.equal(spec.leaseDurationSeconds, 2);
    assert.equal(spec.leaseTransitions, 0);
    assert.match(spec.acquireTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(spec.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // The leader renews: renewTime moves, acquireTime stays.
    await sleep(3 * retryPeriodMs);
    const later = (await getLease('le-one')).spec ?? {};
    assert.equal(later.acquireTime, spec.acquireTime);
    assert.notEqual(later.renewTime, spec.renewTime);

    // Stopping the leader with release hands over well before the lease duration.
    const stoppedAt = performance.now();
    await leader.elector.stop();
    assert.equal(leader.aborted, true, 'the leader\'s signal aborts when it stops leading');
    await waitFor('the follower to lead', () => follower.leading, 3000);
    const handover = performance.now() - stoppedAt;
    t.diagnostic(`released lock handed over in ${Math.round(handover)} ms`);
    assert.ok(handover < leaseDurationMs - 500, `handed over in ${Math.round(handover)} ms`);
    assert.equal(log.max, 1);
    const after = (await getLease('le-one')).spec ?? {};
    assert.equal(after.holderIdentity, follower.identity);
    assert.equal(after.leaseTransitions, 1);
    assert.deepEqual(follower.newLeaders, [leader.identity, follower.identity]);
    await follower.elector.stop();
  });

  test('a leader that stops renewing without releasing is succeeded only after the lease duration', async (t) => {
    const log = new LeadershipLog();
    const a = candidate('le-kill', 'candidate-a', false, log);
    a.start();
    await waitFor('a to lead', () => a.leading, 5000);
    const b = candidate('le-kill', 'candidate-b', false, log);
    b.start();
    await sleep(600);
    assert.equal(b.leading, false);
    const stoppedAt = performance.now();
    await a.elector.stop();
    assert.equal((await getLease('le-kill')).spec?.holderIdentity, 'candidate-a', 'nothing was released');
    await waitFor('b to lead', () => b.leading, 5000);
    const handover = performance.now() - stoppedAt;
    t.diagnostic(`unreleased lock handed over in ${Math.round(handover)} ms`);
    // a renewed at most a retry period (plus a request) before it stopped; b counts the lease from when it saw that.
    assert.ok(handover >= leaseDurationMs - retryPeriodMs - 100, `handed over after ${Math.round(handover)} ms`);
    assert.ok(handover < leaseDurationMs + 1500, `handed over after ${Math.round(handover)} ms`);
    assert.equal(log.max, 1);
    assert.equal((await getLease('le-kill')).spec?.leaseTransitions, 1);
    await b.elector.stop();
  });

  test('a candidate whose update races another gets 409 Conflict and does not lead', async () => {
    // A released lock: both candidates may take it at once.
    await client.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'le-race' },
      spec: { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 4 },
    });
    const log = new LeadershipLog();
    const gated = new GatedClient(readKubeconfig(server.kubeconfig));
    let openGate = (): void => undefined;
    gated.gate = new Promise<void>((r) => (openGate = r));
    const a = candidate('le-race', 'racer-a', true, log, gated);
    const b = candidate('le-race', 'racer-b', true, log);
    try {
      a.start();
      // a has read the released record and decided to take it: its update waits.
      await waitFor('a to try its update', () => gated.putsWaiting === 1, 3000);
      b.start();
      await waitFor('b to lead', () => b.leading, 3000);
      gated.gate = undefined;
      openGate();
      await waitFor('a to get its 409', () => gated.conflicts >= 1, 3000);
      await sleep(1000);
      assert.equal(a.started, 0);
      assert.equal(a.elector.isLeader(), false);
      assert.equal(b.leading, true);
      assert.equal(log.max, 1);
      assert.equal(a.elector.getLeader(), 'racer-b');
      const spec = (await getLease('le-race')).spec ?? {};
      assert.equal(spec.holderIdentity, 'racer-b');
      assert.equal(spec.leaseTransitions, 5);
      // Released on stop: no holder, a one-second lease, the transitions kept.
      await a.elector.stop();
      await b.elector.stop();
      const released = (await getLease('le-race')).spec ?? {};
      assert.equal(released.holderIdentity, '');
      assert.equal(released.leaseDurationSeconds, 1);
      assert.equal(released.leaseTransitions, 5);
      assert.equal(b.aborted, true);
    } finally {
      await Promise.all([a.elector.stop(), b.elector.stop()]);
      gated.close();
    }
  });
});
