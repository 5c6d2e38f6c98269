// Turns a decoded protobufjs message into the JSON form the Kubernetes API gives the same Go object:
// apimachinery's special types get their custom JSON, bytes become base64, zero scalars follow
// omitempty unless marked (keep), and embedded structs marked (inline) are flattened into their parent.
import protobuf from 'protobufjs';
import { formatDuration, formatMicroTime, formatTime } from './go-json-formats.js';

const meta = '.k8s.io.apimachinery.pkg.apis.meta.v1';

/** Decodes RawExtension bytes that are themselves a Kubernetes protobuf envelope. */
export type EmbeddedDecoder = (raw: Uint8Array) => unknown;

type Fields = Record<string, unknown>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(message: Fields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, name);
}

/** int64 values arrive as numbers or as Long objects, depending on whether long.js is installed. */
function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (isFields(v)) return BigInt(String(v));
  return 0n;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (isFields(v)) return Number(String(v));
  return 0;
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

const protobufMagic = [0x6b, 0x38, 0x73, 0x00];

function hasMagic(raw: Uint8Array): boolean {
  return raw.length >= 4 && protobufMagic.every((b, i) => raw[i] === b);
}

function rawJson(raw: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (e: unknown) {
    throw new Error(`${what} does not hold valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function scalarToJson(field: protobuf.Field, v: unknown): unknown {
  switch (field.type) {
    case 'string':
      return typeof v === 'string' ? v : String(v);
    case 'bool':
      return v === true;
    case 'bytes':
      return isBytes(v) ? Buffer.from(v).toString('base64') : '';
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return toNumber(v);
    default:
      return typeof v === 'number' ? v : toNumber(v);
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** The JSON value of one message, given its type. */
export function messageToJson(type: protobuf.Type, message: Fields, embedded: EmbeddedDecoder): unknown {
  switch (type.fullName) {
    case `${meta}.Time`:
    case `${meta}.MicroTime`: {
      if (!has(message, 'seconds') && !has(message, 'nanos')) return null;
      const seconds = toBigInt(message['seconds']);
      const nanos = toNumber(message['nanos']);
      return type.name === 'Time' ? formatTime(seconds, nanos) : formatMicroTime(seconds, nanos);
    }
    case `${meta}.Duration`:
      return formatDuration(toBigInt(message['duration']));
    case `${meta}.FieldsV1`: {
      const raw = message['Raw'];
      return isBytes(raw) && raw.length > 0 ? rawJson(raw, 'fieldsV1') : null;
    }
    case '.k8s.io.apimachinery.pkg.api.resource.Quantity': {
      const s = message['string'];
      return typeof s === 'string' && s !== '' ? s : '0';
    }
    case '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return toNumber(message['type']) === 1 ? String(message['strVal'] ?? '') : toNumber(message['intVal']);
    case '.k8s.io.apimachinery.pkg.runtime.RawExtension': {
      const raw = message['raw'];
      if (!isBytes(raw) || raw.length === 0) return null;
      return hasMagic(raw) ? embedded(raw) : rawJson(raw, 'RawExtension');
    }
  }
  if (type.options?.['(list)'] === true) {
    const items = message['items'];
    return Array.isArray(items) ? items.map(String) : [];
  }
  const out: Fields = {};
  for (const field of type.fieldsArray) {
    const name = field.name;
    const v = message[name];
    const resolved = field.resolve().resolvedType;
    const valueType = resolved instanceof protobuf.Type ? resolved : null;
    const one = (x: unknown): unknown => (valueType !== null && isFields(x) ? messageToJson(valueType, x, embedded) : scalarToJson(field, x));
    if (field.map) {
      if (!isFields(v)) continue;
      const keys = Object.keys(v);
      if (keys.length === 0) continue;
      const m: Fields = {};
      for (const k of keys) m[k] = one(v[k]);
      out[name] = m;
    } else if (field.repeated) {
      if (!Array.isArray(v) || v.length === 0) continue;
      out[name] = v.map(one);
    } else {
      if (!has(message, name)) continue;
      if (valueType !== null) {
        const json = isFields(v) ? messageToJson(valueType, v, embedded) : null;
        if (field.options?.['(inline)'] === true) {
          if (isFields(json)) Object.assign(out, json);
        } else {
          out[name] = json;
        }
      } else {
        const json = scalarToJson(field, v);
        if (isZero(json) && field.options?.['(keep)'] !== true) continue;
        out[name] = json;
      }
    }
  }
  return out;
}
