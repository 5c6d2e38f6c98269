// The loopback transport within one thread: a RestClient of the API server's own control loops hands its request to
// the server's handler as objects (no socket, no HTTP framing, no parsing of it on either side). The request goes
// through the same authentication (the loopback token), authorization, admission and handlers as one over the wire;
// the response is the same status, headers and body bytes. Clients on other threads (the scheduler's) find here a
// dispatcher that carries the request to the server's thread over a MessagePort (port-transport.ts).
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { Req, Res } from '../apiserver/http.js';

export type InProcessDispatcher = (req: Req, res: Res) => void;

const dispatchers = new Map<string, InProcessDispatcher>();

/** Makes the server's handler reachable in this thread under its loopback socket path. */
export function registerInProcessDispatcher(socketPath: string, dispatch: InProcessDispatcher): void {
  dispatchers.set(socketPath, dispatch);
}

export function unregisterInProcessDispatcher(socketPath: string): void {
  dispatchers.delete(socketPath);
}

export function inProcessDispatcher(socketPath: string): InProcessDispatcher | undefined {
  return dispatchers.get(socketPath);
}

/** What the handlers read of a request: method, url, lower-case headers and the body as a stream. */
export class InProcessRequest extends Readable {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly payload: Buffer | undefined,
  ) {
    // 'close' only when the client goes away (destroy), not once the body has been read: a watch ends on 'close'.
    super({ autoDestroy: false });
  }

  private read0 = false;

  override _read(): void {
    if (!this.read0 && this.payload !== undefined && this.payload.length > 0) this.push(this.payload);
    this.read0 = true;
    this.push(null);
  }
}

/**
 * What the handlers write of a response: writeHead, write and end, with 'finish' and 'close'. The client listens to
 * 'head' (status and headers), 'data' (each chunk) and 'finish'.
 */
export class InProcessResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  headers: Record<string, string | string[] | number> = {};
  private closed = false;

  writeHead(code: number, headers?: Record<string, string | string[] | number>): this {
    this.statusCode = code;
    if (headers !== undefined) Object.assign(this.headers, headers);
    this.headersSent = true;
    this.emit('head');
    return this;
  }

  write(chunk: string | Buffer): boolean {
    if (this.closed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.emit('data', typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (this.writableEnded) return this;
    if (chunk !== undefined && chunk.length > 0) this.write(chunk);
    else if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    this.emit('finish');
    this.close();
    return this;
  }

  /** The client went away (a watch stopped): the server's 'close' listeners end the stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}
