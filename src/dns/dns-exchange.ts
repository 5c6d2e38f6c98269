// One DNS exchange with a server over UDP or TCP (two-byte length prefix): the first answer with the query's id, or
// undefined on an error or a timeout. Used by the forwarder, and by tests and the benchmark as a client.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6, type Socket } from 'node:net';

export interface DnsEndpoint {
  readonly host: string;
  readonly port: number;
}

const headerSize = 12;

function isAnswerTo(msg: Buffer, id: number): boolean {
  return msg.length >= headerSize && msg.readUInt16BE(0) === id && (msg.readUInt16BE(2) & 0x8000) !== 0;
}

export function udpExchange(server: DnsEndpoint, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  const id = query.readUInt16BE(0);
  return new Promise((resolve) => {
    let socket: UdpSocket;
    try {
      socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    } catch (e: unknown) {
      void e;
      resolve(undefined);
      return;
    }
    let done = false;
    const finish = (answer: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch (e: unknown) {
        void e;
      }
      resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('message', (msg, rinfo) => {
      // Only the server asked may answer (same address and port as well as the query's ID).
      if (rinfo.port === server.port && sameAddress(rinfo.address, server.host) && isAnswerTo(msg, id)) finish(msg);
    });
    socket.send(query, server.port, server.host, (err) => {
      if (err !== null && err !== undefined) finish(undefined);
    });
  });
}

function sameAddress(a: string, b: string): boolean {
  const strip = (x: string): string => x.replace(/^::ffff:/, '').replace(/^\[|\]$/g, '');
  return strip(a) === strip(b);
}

export function tcpExchange(server: DnsEndpoint, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  const id = query.readUInt16BE(0);
  return new Promise((resolve) => {
    let done = false;
    let buffered: Buffer = Buffer.alloc(0);
    const socket: Socket = connect({ host: server.host, port: server.port });
    const finish = (answer: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const n = buffered.readUInt16BE(0);
        if (buffered.length < 2 + n) return;
        const msg = Buffer.from(buffered.subarray(2, 2 + n));
        buffered = buffered.subarray(2 + n);
        if (isAnswerTo(msg, id)) {
          finish(msg);
          return;
        }
      }
    });
  });
}
