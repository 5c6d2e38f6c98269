// Build step (run by scripts/gen-openapi.mjs after tsc): derives JSON Schema from the
// kubernetes-types declarations with ts-json-schema-generator, turns it into upstream-named
// definitions with Kubernetes' extensions, and writes the served documents as files that the
// apiserver loads on first request (see openapi-files.ts). Not imported at runtime.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';
import { createFormatter, createParser, DEFAULT_CONFIG, SchemaGenerator, type CompletedConfig } from 'ts-json-schema-generator';
import { openApiResources } from '../resources.js';
import { buildDefinitions, moduleOfGroupVersion, type RawModule, type RawSchema } from './build-definitions.js';
import { buildSwaggerDocument, buildV3Documents } from './build-documents.js';
import { encodeSwaggerProtobuf } from './encode-v2-protobuf.js';
import { fileNames, v3FileOf, type V3Index } from './openapi-files.js';

export interface GenerateOptions {
  /** Directory the documents are written to (dist/openapi). */
  readonly outDir: string;
  /** Path of openapi-v2.proto (in the source tree). */
  readonly protoPath: string;
  /** Directory of the kubernetes-types package; resolved from node_modules when omitted. */
  readonly typesDir?: string;
}

export interface GenerateResult {
  readonly definitions: number;
  readonly groupVersions: number;
  readonly millis: number;
}

const baseModules = ['meta/v1', 'api/resource', 'runtime'];

function typesDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('kubernetes-types/package.json'));
}

/** Local names imported by a declaration file, mapped to the module (relative to the package root) they come from. */
function importsOf(sf: ts.SourceFile, module: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const from = posix.normalize(posix.join(posix.dirname(module), st.moduleSpecifier.text));
    const named = st.importClause?.namedBindings;
    if (named && ts.isNamedImports(named)) for (const el of named.elements) out[el.name.text] = from;
  }
  return out;
}

function exportedDeclarations(sf: ts.SourceFile): (ts.InterfaceDeclaration | ts.TypeAliasDeclaration)[] {
  return sf.statements.filter(
    (st): st is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
      (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && (ts.getCombinedModifierFlags(st) & ts.ModifierFlags.Export) !== 0,
  );
}

/** Runs ts-json-schema-generator over the kubernetes-types modules the served resources need. */
export function generateRawModules(typesDir: string): RawModule[] {
  const wanted = new Set<string>(baseModules);
  for (const r of openApiResources) if (r.group !== 'extensions') wanted.add(moduleOfGroupVersion(r.group, r.version));
  const fileOf = (m: string): string => join(typesDir, `${m}.d.ts`);
  // Add imported modules until closed.
  const pending = [...wanted];
  const sources = new Map<string, ts.SourceFile>();
  while (pending.length > 0) {
    const m = pending.pop()!;
    const sf = ts.createSourceFile(fileOf(m), readFileSync(fileOf(m), 'utf8'), ts.ScriptTarget.ES2022, true);
    sources.set(m, sf);
    for (const from of new Set(Object.values(importsOf(sf, m)))) {
      if (!wanted.has(from)) {
        wanted.add(from);
        pending.push(from);
      }
    }
  }
  const modules = [...wanted].sort();
  const program = ts.createProgram(
    modules.map(fileOf),
    { noEmit: true, strictNullChecks: false, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] },
  );
  const config: CompletedConfig = { ...DEFAULT_CONFIG, skipTypeCheck: true, expose: 'export', topRef: true, jsDoc: 'extended', additionalProperties: false };
  return modules.map((module) => {
    const sf = program.getSourceFile(fileOf(module));
    if (sf === undefined) throw new Error(`openapi: ${fileOf(module)} is not in the program`);
    const nodes = exportedDeclarations(sf);
    // A fresh parser per module: the parser caches types by node, and root types must be parsed as roots.
    const generator = new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
    const schema = generator.createSchemaFromNodes(nodes);
    return {
      module,
      definitions: (schema.definitions ?? {}) as Record<string, RawSchema>,
      exports: nodes.map((n) => n.name.text),
      imports: importsOf(sources.get(module) ?? sf, module),
    };
  });
}

function hashOf(data: Buffer): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

/** Generates every served OpenAPI document into options.outDir. */
export function generateOpenApi(options: GenerateOptions): GenerateResult {
  const started = Date.now();
  const defs = buildDefinitions(generateRawModules(options.typesDir ?? typesDirectory()));
  const swagger = buildSwaggerDocument(defs);
  const v3 = buildV3Documents(defs);

  rmSync(options.outDir, { recursive: true, force: true });
  mkdirSync(join(options.outDir, 'v3'), { recursive: true });
  writeFileSync(join(options.outDir, fileNames.definitions), JSON.stringify(defs));
  writeFileSync(join(options.outDir, fileNames.v2Json), JSON.stringify(swagger));
  writeFileSync(join(options.outDir, fileNames.v2Protobuf), encodeSwaggerProtobuf(swagger, readFileSync(options.protoPath, 'utf8')));
  const index: V3Index = { paths: {} };
  for (const [path, doc] of v3) {
    const data = Buffer.from(JSON.stringify(doc));
    writeFileSync(join(options.outDir, v3FileOf(path)), data);
    index.paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(data)}` };
  }
  writeFileSync(join(options.outDir, fileNames.v3Index), JSON.stringify(index));
  return { definitions: Object.keys(defs).length, groupVersions: v3.size, millis: Date.now() - started };
}
