#!/usr/bin/env node
// Build step after tsc: generates dist/openapi/ (swagger 2.0 JSON and protobuf, OpenAPI v3 per
// group version, the definitions the apiserver looks schemas up in) from the kubernetes-types
// declarations. Usage: node scripts/gen-openapi.mjs [--build-dir DIR]   (DIR defaults to dist,
// the tsc outDir; output goes to DIR/openapi).
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const at = args.indexOf('--build-dir');
const buildDir = resolve(root, at >= 0 && args[at + 1] ? args[at + 1] : 'dist');

const { generateOpenApi } = await import(pathToFileURL(join(buildDir, 'src/api/openapi/generate.js')).href);
const result = generateOpenApi({
  outDir: join(buildDir, 'openapi'),
  protoPath: join(root, 'src/api/openapi/openapi-v2.proto'),
});
console.log(`gen-openapi: ${result.definitions} definitions, ${result.groupVersions} group versions in ${result.millis} ms -> ${join(buildDir, 'openapi')}`);
