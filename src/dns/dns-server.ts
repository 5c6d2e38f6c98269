// The DNS listeners: UDP and TCP on one address and port (RFC 7766: TCP messages carry a two-byte length; queries on
// one connection may be answered out of order). Every query goes to a DnsHandler.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { DnsHandler } from './dns-handler.js';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  port: number;
  handler: DnsHandler;
  /** A TCP connection idle this long is closed (default 10 s). */
  tcpIdleMs?: number;
  onError?: (e: unknown) => void;
}

export class DnsServer {
  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    private readonly connections: Set<Socket>,
  ) {}

  /** Listens on UDP and TCP; rejects (closing what it opened) when either cannot listen. */
  static async listen(opts: DnsServerOptions): Promise<DnsServer> {
    // With port 0 the UDP port is picked first and TCP takes the same number; another process may hold that TCP port.
    const attempts = opts.port === 0 ? 5 : 1;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const udp = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(opts.port, opts.host, () => {
            udp.off('error', reject);
            resolve();
          });
        });
      } catch (e: unknown) {
        closeQuietly(udp);
        throw e;
      }
      const port = udp.address().port;
      const connections = new Set<Socket>();
      const tcp = createServer((socket) => serveTcp(socket, opts, connections));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, opts.host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (e: unknown) {
        closeQuietly(udp);
        tcp.close();
        lastError = e;
        continue;
      }
      udp.on('error', (e) => opts.onError?.(e));
      tcp.on('error', (e) => opts.onError?.(e));
      udp.on('message', (msg, rinfo) => {
        opts.handler(msg, 'udp', rinfo.address).then(
          (reply) => {
            if (reply === undefined) return;
            udp.send(reply, rinfo.port, rinfo.address, (err) => {
              if (err !== null && err !== undefined) opts.onError?.(err);
            });
          },
          (e: unknown) => opts.onError?.(e),
        );
      });
      return new DnsServer(opts.host, port, udp, tcp, connections);
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async close(): Promise<void> {
    closeQuietly(this.udp);
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

function closeQuietly(udp: UdpSocket): void {
  try {
    udp.close();
  } catch (e: unknown) {
    void e;
  }
}

function serveTcp(socket: Socket, opts: DnsServerOptions, connections: Set<Socket>): void {
  connections.add(socket);
  let buffered: Buffer = Buffer.alloc(0);
  socket.setTimeout(opts.tcpIdleMs ?? 10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => connections.delete(socket));
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const n = buffered.readUInt16BE(0);
      if (buffered.length < 2 + n) break;
      const msg = Buffer.from(buffered.subarray(2, 2 + n));
      buffered = buffered.subarray(2 + n);
      opts.handler(msg, 'tcp', socket.remoteAddress ?? '').then(
        (reply) => {
          if (reply === undefined || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(reply.length, 0);
          socket.write(Buffer.concat([length, reply]));
        },
        (e: unknown) => opts.onError?.(e),
      );
    }
  });
}
