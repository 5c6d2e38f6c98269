import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from '../../cri/index.js';
import { busyboxContainerConfig, hostNetworkSandboxConfig } from '../../cri/runtime-service.conformance.js';
import { execProbe, maxExecOutputBytes, type ExecRuntime } from './exec-probe.js';

describe('execProbe on the fake runtime', () => {
  const runtime = new FakeRuntime({ images: [{ ref: 'registry.k8s.io/pause:3.10' }, { ref: 'busybox' }] });
  let containerId = '';
  before(async () => {
    const sandboxConfig = hostNetworkSandboxConfig('/tmp/k8ts-prober-test', 'probed');
    const { podSandboxId } = await runtime.runPodSandbox({ config: sandboxConfig });
    ({ containerId } = await runtime.createContainer({ podSandboxId, config: busyboxContainerConfig('busybox', 'app', ['sleep', '3600']), sandboxConfig }));
    await runtime.startContainer({ containerId });
  });

  test('exit code 0 is a success with the output', async () => {
    assert.deepEqual(await execProbe(runtime, containerId, ['echo', 'ok'], 1), { result: 'success', output: 'ok\n' });
  });

  test('a non-zero exit code is a failure whose output is what the command printed', async () => {
    assert.deepEqual(await execProbe(runtime, containerId, ['sh', '-c', 'echo not ready; exit 3'], 1), { result: 'failure', output: 'not ready\n' });
  });

  test('the timeout is passed to ExecSync and a command still running times out as upstream words it', async () => {
    const calls: string[] = [];
    const spy: ExecRuntime = { execSync: (req) => { calls.push(String(req.timeout)); return runtime.execSync(req); } };
    assert.deepEqual(await execProbe(spy, containerId, ['sleep', '10'], 5), { result: 'failure', output: 'command "sleep 10" timed out' });
    assert.deepEqual(calls, ['5']);
  });

  test('an exec the runtime refuses leaves the result unknown with the error', async () => {
    const out = await execProbe(runtime, containerId, ['no-such-binary'], 1);
    assert.equal(out.result, 'unknown');
    assert.match(out.error ?? '', /^rpc error: code = Unknown desc = failed to exec in container: /);
  });
});

describe('execProbe output', () => {
  test('stdout then stderr, cut at 10 KiB', async () => {
    const runtime: ExecRuntime = { execSync: async () => ({ stdout: Buffer.from('a'.repeat(maxExecOutputBytes)), stderr: Buffer.from('b'), exitCode: 1 }) };
    const out = await execProbe(runtime, 'c1', ['x'], 1);
    assert.equal(out.output.length, maxExecOutputBytes);
    const small: ExecRuntime = { execSync: async () => ({ stdout: Buffer.from('out '), stderr: Buffer.from('err'), exitCode: 0 }) };
    assert.deepEqual(await execProbe(small, 'c1', ['x'], 1), { result: 'success', output: 'out err' });
  });
});
