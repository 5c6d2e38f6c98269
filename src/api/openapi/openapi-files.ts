// The generated OpenAPI files (written at build time by generate.ts into <outDir>/openapi, i.e.
// dist/openapi) and their lazy loading: nothing is read until the first request needs it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Definitions } from './json-schema.js';

export const fileNames = {
  definitions: 'definitions.json',
  v2Json: 'v2.json',
  v2Protobuf: 'v2.pb',
  v3Index: 'v3-index.json',
} as const;

export interface V3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** File (relative to the openapi dir) of the v3 document of a group version path ("api/v1" -> "v3/api__v1.json"). */
export function v3FileOf(path: string): string {
  return `v3/${path.replaceAll('/', '__')}.json`;
}

let dir: string | undefined;

/** The directory holding the generated files: <outDir>/openapi beside this module's compiled tree, else an ancestor's dist/openapi. */
export function openapiDirectory(): string {
  if (dir !== undefined) return dir;
  const here = dirname(fileURLToPath(import.meta.url)); // <outDir>/src/api/openapi
  const candidates = [join(here, '..', '..', '..', 'openapi')];
  for (let d = here; dirname(d) !== d; d = dirname(d)) candidates.push(join(d, 'dist', 'openapi'));
  const found = candidates.find((c) => existsSync(join(c, fileNames.v3Index)));
  if (found === undefined) {
    throw new Error(`OpenAPI documents have not been generated (looked in ${candidates[0]}): run \`node scripts/gen-openapi.mjs\` after tsc`);
  }
  dir = found;
  return found;
}

const buffers = new Map<string, Buffer>();

/** A generated file's bytes (read once, then cached). */
export function openapiFile(name: string): Buffer {
  let b = buffers.get(name);
  if (b === undefined) {
    b = readFileSync(join(openapiDirectory(), name));
    buffers.set(name, b);
  }
  return b;
}

let definitions: Definitions | undefined;

export function loadDefinitions(): Definitions {
  definitions ??= JSON.parse(openapiFile(fileNames.definitions).toString('utf8')) as Definitions;
  return definitions;
}

let v3Index: V3Index | undefined;

export function loadV3Index(): V3Index {
  v3Index ??= JSON.parse(openapiFile(fileNames.v3Index).toString('utf8')) as V3Index;
  return v3Index;
}
