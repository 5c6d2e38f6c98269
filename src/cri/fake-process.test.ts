import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runFakeProcess } from './fake-process.js';

describe('runFakeProcess', () => {
  test('echo prints its arguments and exits 0', () => {
    assert.deepEqual(runFakeProcess(['echo', 'hello', 'world']), { kind: 'exited', stdout: 'hello world\n', stderr: '', exitCode: 0 });
  });

  test('sleep keeps running', () => {
    assert.equal(runFakeProcess(['/bin/sleep', '3600']).kind, 'running');
  });

  test('sh -c runs statements in order, expands variables and honours exit', () => {
    assert.deepEqual(runFakeProcess(['sh', '-c', 'echo "$A b"; echo err >&2; exit 3; echo never'], { A: 'a' }),
      { kind: 'exited', stdout: 'a b\n', stderr: 'err\n', exitCode: 3 });
  });

  test('&& and || follow the status of the previous command', () => {
    assert.deepEqual(runFakeProcess(['sh', '-c', "false && echo no || echo 'yes'"]), { kind: 'exited', stdout: 'yes\n', stderr: '', exitCode: 0 });
    assert.deepEqual(runFakeProcess(['sh', '-c', 'true; false']), { kind: 'exited', stdout: '', stderr: '', exitCode: 1 });
  });

  test('a script that ends in sleep keeps running after its output', () => {
    assert.deepEqual(runFakeProcess(['sh', '-c', 'echo started; sleep 3600']), { kind: 'running', stdout: 'started\n', stderr: '' });
  });

  test('a missing program is not found outside a shell and exits 127 inside one', () => {
    assert.deepEqual(runFakeProcess(['/no/such']), { kind: 'not-found', executable: '/no/such' });
    assert.deepEqual(runFakeProcess(['sh', '-c', 'nope']), { kind: 'exited', stdout: '', stderr: 'sh: nope: not found\n', exitCode: 127 });
  });

  test('env prints the environment', () => {
    assert.deepEqual(runFakeProcess(['env'], { A: '1', B: '2' }), { kind: 'exited', stdout: 'A=1\nB=2\n', stderr: '', exitCode: 0 });
  });
});
