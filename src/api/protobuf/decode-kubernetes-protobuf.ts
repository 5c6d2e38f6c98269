// Decodes request bodies sent as Kubernetes protobuf (application/vnd.kubernetes.protobuf): the magic
// "k8s\0", then a runtime.Unknown holding typeMeta {apiVersion, kind} and the object's bytes in raw.
// The result is the object exactly as its JSON form would be, for the JSON-based handlers.
import protobuf from 'protobufjs';
import { kubernetesProtobufRoot } from './kubernetes-protobuf-root.js';
import { messageToJson } from './message-to-json.js';

export const kubernetesProtobufContentType = 'application/vnd.kubernetes.protobuf';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Meta kinds every group version registers (client-go sends DeleteOptions with the resource's group version). */
const metaKinds = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'Status']);

/** A body that is not a decodable Kubernetes protobuf message; the apiserver answers 400 Bad Request. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A decoded message (or anything else) viewed as its own enumerable fields. */
function fieldsOf(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function packageOf(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (version === '' || !/^[a-z0-9]+$/.test(version)) return undefined;
  if (group === '') return `k8s.io.api.core.${version}`;
  const short = group.split('.')[0] ?? '';
  if (!/^[a-z]+$/.test(short)) return undefined;
  return `k8s.io.api.${short}.${version}`;
}

/** The message type for a top-level kind: a meta kind, or a message of the group version whose field 1 is ObjectMeta. */
function typeFor(root: protobuf.Root, apiVersion: string, kind: string): protobuf.Type | undefined {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  if (metaKinds.has(kind)) return root.lookupType(`k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`);
  const pkg = packageOf(apiVersion);
  if (pkg === undefined) return undefined;
  const t = root.lookup(`${pkg}.${kind}`);
  if (!(t instanceof protobuf.Type)) return undefined;
  const first = t.fieldsById[1];
  return first?.name === 'metadata' && first.type.endsWith('meta.v1.ObjectMeta') ? t : undefined;
}

function decodeUnknown(body: Uint8Array): DecodedProtobuf {
  if (body.length < magic.length || !magic.equals(Buffer.from(body.subarray(0, magic.length)))) {
    throw new ProtobufDecodeError(`provided data does not appear to be a protobuf message, expected prefix [${[...magic].join(' ')}]`);
  }
  const root = kubernetesProtobufRoot();
  const unknownType = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  let unknown: Record<string, unknown>;
  try {
    unknown = fieldsOf(unknownType.decode(body.subarray(magic.length)));
  } catch (e: unknown) {
    throw new ProtobufDecodeError(`unable to decode protobuf envelope: ${reason(e)}`);
  }
  const typeMeta = fieldsOf(unknown['typeMeta']);
  const apiVersion = stringOf(typeMeta['apiVersion']);
  const kind = stringOf(typeMeta['kind']);
  if (kind === '') throw new ProtobufDecodeError("Object 'Kind' is missing in protobuf message");
  const contentEncoding = stringOf(unknown['contentEncoding']);
  if (contentEncoding !== '') throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(contentEncoding)} in protobuf message`);
  const raw = unknown['raw'] instanceof Uint8Array ? unknown['raw'] : new Uint8Array(0);
  const contentType = stringOf(unknown['contentType']);
  if (contentType !== '' && contentType !== kubernetesProtobufContentType) {
    if (contentType !== 'application/json') throw new ProtobufDecodeError(`unsupported content type ${JSON.stringify(contentType)} in protobuf message`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch (e: unknown) {
      throw new ProtobufDecodeError(`unable to decode JSON ${kind}: ${reason(e)}`);
    }
    if (!isRecord(parsed)) throw new ProtobufDecodeError(`${kind} is not a JSON object`);
    return { apiVersion, kind, object: { kind, apiVersion, ...parsed } };
  }
  const type = typeFor(root, apiVersion, kind);
  if (type === undefined) {
    throw new ProtobufDecodeError(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
  }
  let message: protobuf.Message;
  try {
    message = type.decode(raw);
  } catch (e: unknown) {
    throw new ProtobufDecodeError(`unable to decode protobuf ${kind}: ${reason(e)}`);
  }
  let json: unknown;
  try {
    json = messageToJson(type, fieldsOf(message), (embedded) => decodeUnknown(embedded).object);
  } catch (e: unknown) {
    if (e instanceof ProtobufDecodeError) throw e;
    throw new ProtobufDecodeError(`unable to decode protobuf ${kind}: ${reason(e)}`);
  }
  return { apiVersion, kind, object: { kind, apiVersion, ...fieldsOf(json) } };
}

/**
 * Decodes a Kubernetes protobuf request body into `{ apiVersion, kind, object }`, where `object` is the
 * object's JSON form (kind and apiVersion included). Throws ProtobufDecodeError for a wrong magic prefix,
 * a kind this schema does not know, or malformed bytes.
 */
export function decodeKubernetesProtobuf(body: Buffer): DecodedProtobuf {
  return decodeUnknown(body);
}
