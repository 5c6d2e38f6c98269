// Upstream's StreamTranslatorHandler (k8s.io/apiserver/pkg/util/proxy/streamtranslator.go): a WebSocket client of
// the v5.channel.k8s.io protocol (kubectl 1.30+ exec and attach) is served by the API server itself, which speaks
// SPDY v4.channel.k8s.io to the kubelet. Each WebSocket channel maps to the SPDY stream of the same type (0 stdin,
// 1 stdout, 2 stderr, 3 error, 4 resize; 255 closes a channel, v5's addition), the bytes pass unchanged, and when the
// command ends its status goes out on the error channel as upstream writes it.
import type { WebSocket } from 'ws';
import { ApiError } from '../machinery/errors.js';
import { SpdyClientSession, type SpdyStream } from './spdy-client-session.js';
import { readResponseBody, type UpgradeResponse } from './upgrade-dial.js';

export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';

export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4, Close: 255 } as const;

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** A metav1.Status as the error channel carries it (upstream marshals it without kind and apiVersion). */
export interface StreamStatus {
  kind?: string;
  apiVersion?: string;
  metadata: Record<string, never>;
  status: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
  code?: number;
}

const successStatus: StreamStatus = { metadata: {}, status: 'Success' };

/** The status the translator reports for what the kubelet wrote on the SPDY error stream (client-go's errorDecoderV4). */
export function statusFromErrorStream(bytes: Buffer): StreamStatus {
  if (bytes.length === 0) return successStatus;
  let s: Partial<StreamStatus>;
  try {
    s = JSON.parse(bytes.toString('utf8')) as typeof s;
  } catch (e: unknown) {
    return ApiError.internal(`error stream protocol error: ${e instanceof Error ? e.message : String(e)} in ${JSON.stringify(bytes.toString('utf8'))}`).toStatus();
  }
  if (s.status === 'Success') return successStatus;
  if (s.status !== 'Failure') return ApiError.internal('error stream protocol error: unknown error').toStatus();
  if (s.reason === 'NonZeroExitCode') {
    const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
    if (cause === undefined) return ApiError.internal('error stream protocol error: no ExitCode cause given').toStatus();
    const rc = Number(cause.message);
    if (!/^\d+$/.test(cause.message ?? '') || rc > 255) return ApiError.internal(`error stream protocol error: invalid exit code value ${JSON.stringify(cause.message ?? '')}`).toStatus();
    return {
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: command terminated with exit code ${rc}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(rc) }] },
    };
  }
  return ApiError.internal(s.message ?? '').toStatus();
}

/** The status for a kubelet that did not upgrade: its Status when the body is one, else client-go's upgrade error. */
export function statusFromFailedUpgrade(code: number, body: Buffer): StreamStatus {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as Partial<StreamStatus>;
    if (parsed.kind === 'Status' && typeof parsed.status === 'string') return { ...parsed, metadata: {}, status: parsed.status };
  } catch {
    // not JSON: the text itself is the message
  }
  return ApiError.internal(`unable to upgrade connection: ${text === '' ? `${code}` : text}`).toStatus();
}

/** Above this much unsent data towards one side, the other side is not read until it drains below the low mark. */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;

function send(ws: WebSocket, channel: number, data: Buffer): void {
  if (ws.readyState !== ws.OPEN) return;
  const framed = Buffer.allocUnsafe(data.length + 1);
  framed[0] = channel;
  data.copy(framed, 1);
  ws.send(framed, { binary: true });
}

/**
 * Serves an open v5 WebSocket: dials the kubelet (SPDY, v4), copies the streams both ways, and finishes with the
 * status on the error channel and a close frame. Resolves when the session is over.
 */
export async function translateRemoteCommand(ws: WebSocket, opts: RemoteCommandOptions, dial: () => Promise<UpgradeResponse>): Promise<void> {
  // The lowest writable channel gets an empty message first: it tells the client the connection is established.
  send(ws, opts.stdout ? Channel.Stdout : opts.stderr ? Channel.Stderr : Channel.Error, Buffer.alloc(0));

  let stdin: SpdyStream | undefined;
  let resize: SpdyStream | undefined;
  let session: SpdyClientSession | undefined;
  const early: Buffer[] = [];
  let clientGone = false;
  let afterWrite = (): void => undefined;
  const onMessage = (data: Buffer): void => {
    if (session === undefined) {
      early.push(data);
      return;
    }
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === Channel.Stdin) stdin?.write(payload);
    else if (channel === Channel.Resize) resize?.write(payload);
    else if (channel === Channel.Close) {
      if (payload[0] === Channel.Stdin) stdin?.end();
      else if (payload[0] === Channel.Resize) resize?.end();
    }
    afterWrite();
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary && data.length > 0) onMessage(data);
  });
  // A malformed frame, a reset: the session ends ('close' follows), never the process.
  ws.on('error', () => ws.terminate());
  // Until the kubelet's session is up, the client is not read (its messages would pile up in `early`).
  ws.pause();
  const gone = new Promise<void>((resolve) =>
    ws.once('close', () => {
      clientGone = true;
      session?.destroy();
      resolve();
    }),
  );

  const finish = async (status: StreamStatus): Promise<void> => {
    // Read the client again (it was paused while the kubelet was dialled): its answer to the close frame ends the session.
    ws.resume();
    send(ws, Channel.Error, Buffer.from(JSON.stringify(status)));
    if (ws.readyState === ws.OPEN) ws.close(1000);
    await gone;
  };

  let upgraded: UpgradeResponse;
  try {
    upgraded = await dial();
  } catch (e: unknown) {
    return finish(ApiError.internal(e instanceof Error ? e.message : String(e)).toStatus());
  }
  if (clientGone) {
    upgraded.socket.destroy();
    return;
  }
  if (upgraded.statusCode !== 101) {
    return finish(statusFromFailedUpgrade(upgraded.statusCode, await readResponseBody(upgraded)));
  }
  const protocol = upgraded.headers['x-stream-protocol-version'] ?? '';
  if (protocol !== STREAM_PROTOCOL_V4) {
    upgraded.socket.destroy();
    return finish(ApiError.internal(`unable to upgrade streaming request: protocol ${JSON.stringify(protocol)} is not ${STREAM_PROTOCOL_V4}`).toStatus());
  }

  const s = new SpdyClientSession(upgraded.socket, upgraded.leftover);
  upgraded.socket.resume();
  const kubelet = upgraded.socket;
  // Backpressure: a client that does not read stops the kubelet's output here, and a kubelet that does not take
  // stdin stops the client's, instead of either piling up in memory.
  const toClient = (channel: number, d: Buffer): void => {
    send(ws, channel, d);
    if (ws.bufferedAmount <= HIGH_WATER_BYTES || kubelet.isPaused()) return;
    kubelet.pause();
    const wait = (): void => {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount < LOW_WATER_BYTES) kubelet.resume();
      else setTimeout(wait, 10).unref();
    };
    setTimeout(wait, 10).unref();
  };
  const fromClientWritten = (): void => {
    if (kubelet.writableLength <= HIGH_WATER_BYTES || ws.isPaused) return;
    ws.pause();
    kubelet.once('drain', () => ws.resume());
  };
  const ended = (st: SpdyStream | undefined): Promise<void> => (st === undefined || st.ended ? Promise.resolve() : new Promise((r) => st.once('end', () => r())));
  // client-go's stream order: error, stdin, stdout, stderr (without a TTY), resize (with one).
  const errorStream = s.createStream([['streamType', 'error']]);
  const errorBytes: Buffer[] = [];
  errorStream.on('data', (d: Buffer) => errorBytes.push(d));
  if (opts.stdin) stdin = s.createStream([['streamType', 'stdin']]);
  let stdout: SpdyStream | undefined;
  let stderr: SpdyStream | undefined;
  if (opts.stdout) {
    stdout = s.createStream([['streamType', 'stdout']]);
    stdout.on('data', (d: Buffer) => toClient(Channel.Stdout, d));
  }
  if (opts.stderr && !opts.tty) {
    stderr = s.createStream([['streamType', 'stderr']]);
    stderr.on('data', (d: Buffer) => toClient(Channel.Stderr, d));
  }
  if (opts.tty) resize = s.createStream([['streamType', 'resize']]);
  session = s;
  afterWrite = fromClientWritten;
  for (const d of early.splice(0)) onMessage(d);
  ws.resume();

  await Promise.all([ended(stdout), ended(stderr)]);
  await ended(errorStream);
  s.close();
  if (clientGone) return;
  await finish(statusFromErrorStream(Buffer.concat(errorBytes)));
}
