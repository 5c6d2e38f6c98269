// The TCP probe (pkg/probe/tcp): success when a connection to host:port opens within the timeout (it is closed at
// once); otherwise a failure whose output is the dial error as Go words it.
import { connect } from 'node:net';
import { goDialError, joinHostPort } from './go-net-error.js';
import type { ProbeOutcome } from './probe-outcome.js';

export function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const socket = connect({ host, port });
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${addr}: i/o timeout` }), timeoutSeconds * 1000);
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (e: Error) => finish({ result: 'failure', output: goDialError(addr, e) }));
  });
}
