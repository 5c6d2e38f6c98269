// Encodes the swagger 2.0 document as gnostic's openapi_v2.Document protobuf, the form kubectl
// and client-go's discovery client ask /openapi/v2 for (application/com.github.proto-openapi.spec.v2@v1.0+protobuf).
import protobuf from 'protobufjs';
import { httpMethods, type SwaggerOperation, type SwaggerParameter, type SwaggerPathItem } from './build-paths.js';
import type { SwaggerDocument } from './build-documents.js';
import type { JsonSchema } from './json-schema.js';

type Message = Record<string, unknown>;

const vendorKeys = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
] as const;

/** gnostic keeps extension values as YAML text; JSON is valid YAML. */
function namedAny(name: string, value: unknown): Message {
  return { name, value: { yaml: `${JSON.stringify(value)}\n` } };
}

function schemaMessage(s: JsonSchema): Message {
  const m: Message = {};
  if (s.$ref !== undefined) m['_ref'] = s.$ref;
  if (s.format !== undefined) m['format'] = s.format;
  if (s.description !== undefined) m['description'] = s.description;
  if (s.required !== undefined) m['required'] = s.required;
  if (typeof s.additionalProperties === 'object') m['additional_properties'] = { schema: schemaMessage(s.additionalProperties) };
  if (s.type !== undefined) m['type'] = { value: [s.type] };
  if (s.items !== undefined) m['items'] = { schema: [schemaMessage(s.items)] };
  if (s.allOf !== undefined) m['all_of'] = s.allOf.map(schemaMessage);
  if (s.properties !== undefined) {
    m['properties'] = { additional_properties: Object.entries(s.properties).map(([name, value]) => ({ name, value: schemaMessage(value) })) };
  }
  const ext: Message[] = [];
  for (const k of vendorKeys) if (s[k] !== undefined) ext.push(namedAny(k, s[k]));
  if (ext.length > 0) m['vendor_extension'] = ext;
  return m;
}

function parameterMessage(p: SwaggerParameter): Message {
  if (p.in === 'body') {
    return { parameter: { body_parameter: { description: p.description, name: p.name, in: p.in, required: p.required ?? false, schema: p.schema ? schemaMessage(p.schema) : {} } } };
  }
  const sub = { required: p.required ?? false, in: p.in, description: p.description, name: p.name, type: p.type ?? 'string', unique_items: p.uniqueItems ?? false };
  return { parameter: { non_body_parameter: p.in === 'path' ? { path_parameter_sub_schema: sub } : { query_parameter_sub_schema: sub } } };
}

function operationMessage(o: SwaggerOperation): Message {
  const ext: Message[] = [namedAny('x-kubernetes-action', o['x-kubernetes-action'])];
  if (o['x-kubernetes-group-version-kind']) ext.push(namedAny('x-kubernetes-group-version-kind', o['x-kubernetes-group-version-kind']));
  return {
    tags: o.tags,
    description: o.description,
    operation_id: o.operationId,
    produces: o.produces,
    consumes: o.consumes,
    parameters: (o.parameters ?? []).map(parameterMessage),
    responses: {
      response_code: Object.entries(o.responses).map(([code, r]) => ({
        name: code,
        value: { response: r.schema ? { description: r.description, schema: { schema: schemaMessage(r.schema) } } : { description: r.description } },
      })),
    },
    schemes: o.schemes,
    vendor_extension: ext,
  };
}

function pathItemMessage(item: SwaggerPathItem): Message {
  const m: Message = {};
  for (const method of httpMethods) {
    const o = item[method];
    if (o !== undefined) m[method] = operationMessage(o);
  }
  if (item.parameters !== undefined) m['parameters'] = item.parameters.map(parameterMessage);
  return m;
}

/** Encodes `doc` with the message types of `protoSource` (the text of openapi-v2.proto). */
export function encodeSwaggerProtobuf(doc: SwaggerDocument, protoSource: string): Uint8Array {
  const root = protobuf.parse(protoSource, { keepCase: true }).root;
  const Document = root.lookupType('openapi.v2.Document');
  const message = {
    swagger: doc.swagger,
    info: doc.info,
    paths: { path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItemMessage(item) })) },
    definitions: { additional_properties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: schemaMessage(s) })) },
    security: doc.security.map((req) => ({ additional_properties: Object.entries(req).map(([name, value]) => ({ name, value: { value } })) })),
    security_definitions: {
      additional_properties: Object.entries(doc.securityDefinitions).map(([name, d]) => ({ name, value: { api_key_security: d } })),
    },
  };
  const err = Document.verify(message);
  if (err) throw new Error(`openapi: invalid v2 protobuf message: ${err}`);
  return Document.encode(Document.fromObject(message)).finish();
}

/** Decodes a document encoded by encodeSwaggerProtobuf (for tests and diagnostics). */
export function decodeSwaggerProtobuf(data: Uint8Array, protoSource: string): Record<string, unknown> {
  const root = protobuf.parse(protoSource, { keepCase: true }).root;
  const Document = root.lookupType('openapi.v2.Document');
  return Document.toObject(Document.decode(data), { defaults: false }) as Record<string, unknown>;
}
