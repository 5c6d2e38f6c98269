import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from '../src/cri/index.js';
import { runtimeStamps, stepDurations } from './node-startup-breakdown.js';

describe('the node bench startup breakdown', () => {
  test('splits create-to-Running into four steps in milliseconds, leaving out pods without both stamps of a step', () => {
    const steps = stepDurations([
      { created: 1_000_000_000n, sandboxCreated: 1_050_000_000n, containerCreated: 1_350_000_000n, containerStarted: 1_500_000_000n, running: 1_700_000_000n },
      { created: 2_000_000_000n, containerCreated: 2_400_000_000n },
    ]);
    assert.deepEqual(steps.map((s) => s.samples), [[50], [300], [150], [200]]);
    assert.equal(steps.length, 4);
  });

  test('reads the sandbox and container stamps of one namespace\'s pods by pod name', async () => {
    const rt = new FakeRuntime();
    rt.addImage({ ref: 'busybox', cmd: ['sh'] });
    const labels = (ns: string, name: string): Record<string, string> => ({ 'io.kubernetes.pod.namespace': ns, 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.uid': `${ns}-${name}` });
    for (const [ns, name] of [['bench', 'a'], ['other', 'b']] as const) {
      const config = { metadata: { name, uid: `${ns}-${name}`, namespace: ns, attempt: 0 }, labels: labels(ns, name) };
      const { podSandboxId } = await rt.runPodSandbox({ config });
      const { containerId } = await rt.createContainer({ podSandboxId, config: { metadata: { name: 'c' }, image: { image: 'busybox' }, labels: labels(ns, name) }, sandboxConfig: config });
      await rt.startContainer({ containerId });
    }
    const stamps = await runtimeStamps(rt, 'bench');
    assert.deepEqual([...stamps.keys()], ['a']);
    const a = stamps.get('a');
    assert.ok(a?.sandboxCreated !== undefined && a.containerCreated !== undefined && a.containerStarted !== undefined, JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    assert.ok(a.sandboxCreated <= a.containerCreated && a.containerCreated <= a.containerStarted);
  });
});
