// The client end of a SPDY/3.1 connection (an upgraded HTTP/1.1 socket), enough for the Kubernetes remote command
// and port-forward protocols: the client opens every stream (odd ids from 1), writes to a stream once the server has
// replied to it, half-closes with FIN, answers the server's PINGs, and ends every stream when the connection ends.
// There is no flow control, as spdystream has none.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  controlStreamId,
  dataFrames,
  FrameReader,
  FrameType,
  FLAG_FIN,
  goAwayFrame,
  HeaderBlockWriter,
  nameValueBlock,
  pingFrame,
  RstStatus,
  rstStreamFrame,
  synStreamFrame,
  type SpdyFrame,
} from './spdy-frames.js';

/** One stream: 'data' (Buffer), 'end' (the server's FIN, a reset, or the connection ending) events. */
export class SpdyStream extends EventEmitter {
  private replied = false;
  private pending: Buffer[] = [];
  private pendingFin = false;
  private localClosed = false;
  private remoteClosed = false;

  constructor(
    readonly id: number,
    private readonly session: SpdyClientSession,
  ) {
    super();
  }

  /** Writes data (held until the server's SYN_REPLY). */
  write(data: Buffer): void {
    if (this.localClosed || data.length === 0) return;
    if (!this.replied) this.pending.push(data);
    else this.session.send(dataFrames(this.id, data, false));
  }

  /** Half-closes the stream: a FIN, after anything written. */
  end(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    if (!this.replied) this.pendingFin = true;
    else this.session.send(dataFrames(this.id, Buffer.alloc(0), true));
  }

  get ended(): boolean {
    return this.remoteClosed;
  }

  /** @internal */
  onReply(fin: boolean): void {
    if (this.replied) return;
    this.replied = true;
    for (const d of this.pending) this.session.send(dataFrames(this.id, d, false));
    this.pending = [];
    if (this.pendingFin) this.session.send(dataFrames(this.id, Buffer.alloc(0), true));
    if (fin) this.onRemoteEnd();
  }

  /** @internal */
  onData(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length > 0) this.emit('data', data);
    if (fin) this.onRemoteEnd();
  }

  /** @internal */
  onRemoteEnd(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
  }
}

export class SpdyClientSession extends EventEmitter {
  private readonly reader = new FrameReader();
  private readonly headerWriter = new HeaderBlockWriter();
  private readonly streams = new Map<number, SpdyStream>();
  private nextId = 1;
  private closed = false;

  /** `leftover`: bytes that arrived after the 101 response's head, already SPDY frames. */
  constructor(
    private readonly socket: Duplex,
    leftover: Buffer = Buffer.alloc(0),
  ) {
    super();
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
    if (leftover.length > 0) queueMicrotask(() => this.receive(leftover));
  }

  /** Opens a stream with these headers (names are sent lower-case). */
  createStream(headers: ReadonlyArray<readonly [string, string]>): SpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const stream = new SpdyStream(id, this);
    this.streams.set(id, stream);
    if (this.closed) {
      queueMicrotask(() => stream.onRemoteEnd());
      return stream;
    }
    this.send([synStreamFrame(id, this.headerWriter.encode(nameValueBlock(headers)))]);
    return stream;
  }

  /** GOAWAY, then the socket is ended. */
  close(): void {
    if (this.closed) return;
    this.send([goAwayFrame(0)]);
    this.socket.end();
    this.finish();
  }

  destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  /** @internal */
  send(buffers: Buffer[]): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers));
  }

  private receive(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e: unknown) {
      this.emit('protocolError', e instanceof Error ? e : new Error(String(e)));
      this.destroy();
      return;
    }
    for (const f of frames) this.handle(f);
  }

  private handle(f: SpdyFrame): void {
    if (f.kind === 'data') {
      const s = this.streams.get(f.streamId);
      if (s === undefined) {
        this.send([rstStreamFrame(f.streamId, RstStatus.InvalidStream)]);
        return;
      }
      s.onData(f.data, f.fin);
      return;
    }
    switch (f.type) {
      case FrameType.SynReply:
        this.streams.get(controlStreamId(f.payload))?.onReply((f.flags & FLAG_FIN) !== 0);
        return;
      case FrameType.Headers:
        if ((f.flags & FLAG_FIN) !== 0) this.streams.get(controlStreamId(f.payload))?.onRemoteEnd();
        return;
      case FrameType.RstStream:
        this.streams.get(controlStreamId(f.payload))?.onRemoteEnd();
        return;
      case FrameType.Ping:
        // The server's pings (even ids) are answered with the same frame; ours (odd) are not sent.
        if (f.payload.length >= 4 && f.payload.readUInt32BE(0) % 2 === 0) this.send([pingFrame(f.payload.readUInt32BE(0))]);
        return;
      case FrameType.GoAway:
        // No new streams; the existing ones finish as the server ends them or the connection closes.
        return;
      case FrameType.SynStream:
        // A server-initiated stream: refused (no Kubernetes streaming protocol has the server open one).
        this.send([rstStreamFrame(controlStreamId(f.payload), RstStatus.RefusedStream)]);
        return;
      default:
        // SETTINGS, WINDOW_UPDATE: nothing to do without flow control.
        return;
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onRemoteEnd();
    this.emit('close');
  }
}
