// The loopback transport between threads: a client on a worker thread (the scheduler's) hands its request to the API
// server's handler on the main thread over a MessagePort, as the in-process transport does within one thread. The
// request goes through the same authentication, authorization, admission and handlers; the response comes back as its
// status, headers and body chunks, in order. Neither side frames HTTP, parses it or makes a system call: over the
// loopback socket, the HTTP client and server code took about a sixth of the scheduler's thread and much of the API
// server's socket writes.
import type { MessagePort } from 'node:worker_threads';
import type { Req, Res } from '../apiserver/http.js';
import { InProcessRequest, InProcessResponse, inProcessDispatcher, type InProcessDispatcher } from './in-process-transport.js';

type ToServer = { t: 'req'; id: number; method: string; url: string; headers: Record<string, string>; body?: Uint8Array } | { t: 'close'; id: number };

type ToClient =
  | { t: 'head'; id: number; status: number; headers: Record<string, string | string[] | number> }
  | { t: 'data'; id: number; chunk: Uint8Array }
  | { t: 'end'; id: number };

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The bytes of b in an ArrayBuffer of their own, to transfer: cloning a Buffer would copy the whole ArrayBuffer under
 * it (8 KiB for a pooled one).
 */
function own(b: Buffer): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  const bytes = new Uint8Array(b.byteLength);
  bytes.set(b);
  return { bytes, transfer: [bytes.buffer] };
}

/**
 * Messages to one port, posted together at the end of the current job (a microtask): a response's head, body and end,
 * and the watch chunks of one commit to every stream, cost one postMessage instead of one each (postMessage was the
 * largest item of the API server's thread). Waiting for the next loop turn instead (setImmediate) delayed every
 * answer behind a busy turn and cost throughput.
 */
class Outbox<M> {
  private messages: M[] = [];
  private transfers: ArrayBuffer[] = [];
  private closed = false;

  constructor(private readonly port: MessagePort) {}

  send(m: M, transfer?: ArrayBuffer[]): void {
    if (this.closed) return;
    this.messages.push(m);
    if (transfer !== undefined) this.transfers.push(...transfer);
    if (this.messages.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    if (this.closed || this.messages.length === 0) return;
    const messages = this.messages;
    const transfers = this.transfers;
    this.messages = [];
    this.transfers = [];
    this.port.postMessage(messages, transfers);
  }

  close(): void {
    this.closed = true;
    this.messages = [];
    this.transfers = [];
  }
}

/**
 * Serves the requests arriving on port with the dispatcher the API server registered in this thread under socketPath
 * (looked up per request: a stopped server answers 503). Returns a function that ends every open request and the port.
 */
export function serveInProcessPort(port: MessagePort, socketPath: string): () => void {
  const open = new Map<number, { req: InProcessRequest; res: InProcessResponse }>();
  const out = new Outbox<ToClient>(port);
  const receive = (m: ToServer): void => {
    if (m.t === 'close') {
      const o = open.get(m.id);
      if (o === undefined) return;
      open.delete(m.id);
      o.req.destroy();
      o.res.close();
      return;
    }
    const { id } = m;
    const req = new InProcessRequest(m.method, m.url, m.headers, m.body === undefined ? undefined : asBuffer(m.body));
    const res = new InProcessResponse();
    open.set(id, { req, res });
    res.on('head', () => out.send({ t: 'head', id, status: res.statusCode, headers: res.headers }));
    res.on('data', (chunk: Buffer) => {
      const { bytes, transfer } = own(chunk);
      out.send({ t: 'data', id, chunk: bytes }, transfer);
    });
    // 'finish' is followed by 'close'; a response the server closes without finishing ends the client's too.
    res.on('close', () => {
      if (open.delete(id)) out.send({ t: 'end', id });
    });
    const dispatch = inProcessDispatcher(socketPath);
    if (dispatch === undefined) {
      const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the API server is not serving', reason: 'ServiceUnavailable', code: 503 };
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status));
      return;
    }
    dispatch(req as unknown as Req, res as unknown as Res);
  };
  port.on('message', (batch: ToServer[]) => {
    for (const m of batch) receive(m);
  });
  return () => {
    for (const o of open.values()) {
      o.req.destroy();
      o.res.close();
    }
    open.clear();
    out.close();
    port.close();
  };
}

/** The client side: a dispatcher that sends each request over port to serveInProcessPort and replays the response. */
export function portDispatcher(port: MessagePort): InProcessDispatcher {
  let nextId = 1;
  const pending = new Map<number, InProcessResponse>();
  const out = new Outbox<ToServer>(port);
  port.on('message', (batch: ToClient[]) => {
    for (const m of batch) {
      const res = pending.get(m.id);
      if (res === undefined) continue;
      if (m.t === 'head') res.writeHead(m.status, m.headers);
      else if (m.t === 'data') res.write(asBuffer(m.chunk));
      else {
        pending.delete(m.id);
        res.end();
      }
    }
  });
  return (req, res) => {
    const r = req as unknown as InProcessRequest;
    const s = res as unknown as InProcessResponse;
    const id = nextId++;
    pending.set(id, s);
    // The client went away (a watch stopped): the server ends the request.
    s.on('close', () => {
      if (pending.delete(id)) out.send({ t: 'close', id });
    });
    if (r.payload === undefined) out.send({ t: 'req', id, method: r.method, url: r.url, headers: r.headers });
    else {
      const { bytes, transfer } = own(r.payload);
      out.send({ t: 'req', id, method: r.method, url: r.url, headers: r.headers, body: bytes }, transfer);
    }
  };
}
