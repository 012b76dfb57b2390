#!/usr/bin/env node
// Lints Neo4j-dialect Cypher with Neo4j's own linter (lintCypherQuery from
// @neo4j-cypher/language-support) against coordgraph's schema (schema.json: labels,
// relationship types, property keys and the GDS procedures/functions coordgraph uses).
// Built-in Cypher functions and db.* procedures come from the package's Neo4j 5 catalogue.
//
// Other parts add their schema in schema.<part>.json (same keys as schema.json).
//
// Usage:  node lint.mjs FILE.cypher ...        (lint files)
//         node lint.mjs --stdin                (lint {"name": "query text", ...} JSON on stdin)
// Prints JSON: [{"name", "diagnostics": [{"message", "severity", "line", "column"}]}];
// exit code 1 when any query has a diagnostic (errors and warnings alike), 0 when all are clean.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const here = dirname(fileURLToPath(import.meta.url));
const own = JSON.parse(readFileSync(join(here, 'schema.json'), 'utf8'));
// other parts of the project declare their labels/types/properties in schema.<part>.json
for (const file of readdirSync(here).filter((f) => /^schema\..+\.json$/.test(f)).sort()) {
  const extra = JSON.parse(readFileSync(join(here, file), 'utf8'));
  for (const key of ['labels', 'relationshipTypes', 'propertyKeys']) {
    own[key] = [...new Set([...(own[key] || []), ...(extra[key] || [])])];
  }
  Object.assign(own.procedures, extra.procedures || {});
  Object.assign(own.functions, extra.functions || {});
}

function procedure(name, p) {
  return { name, worksOnSystem: false, admin: false, option: { deprecated: false }, isDeprecated: false, ...p };
}
function func(name, f) {
  return { name, category: 'graph-data-science', isBuiltIn: false, isDeprecated: false, ...f };
}

// every $parameter a query uses counts as supplied (their documentation is checked by the
// Python tests against each file's header)
function parametersOf(text) {
  const body = text.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
  return Object.fromEntries([...body.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [m[1], null]));
}

function buildSchema() {
  const functions = {};
  const procedures = {};
  for (const version of ['CYPHER 5', 'CYPHER 25']) {
    const catalogueF = (testData.mockSchema.functions || {})[version] || {};
    const catalogueP = (testData.mockSchema.procedures || {})[version] || {};
    functions[version] = {};
    procedures[version] = {};
    for (const [name, f] of Object.entries(catalogueF)) {
      if (f.isBuiltIn) functions[version][name] = f;  // Cypher built-ins only: no apoc, no gds
    }
    for (const [name, p] of Object.entries(catalogueP)) {
      if (name.startsWith('db.') || name.startsWith('dbms.')) procedures[version][name] = p;
    }
    for (const [name, p] of Object.entries(own.procedures)) procedures[version][name] = procedure(name, p);
    for (const [name, f] of Object.entries(own.functions)) functions[version][name] = func(name, f);
  }
  return {
    labels: own.labels, relationshipTypes: own.relationshipTypes, propertyKeys: own.propertyKeys,
    functions, procedures,
  };
}

function main() {
  const args = process.argv.slice(2);
  let queries = {};
  if (args[0] === '--stdin') {
    queries = JSON.parse(readFileSync(0, 'utf8'));
  } else {
    for (const file of args) queries[file] = readFileSync(file, 'utf8');
  }
  const schema = buildSchema();
  const report = [];
  let bad = 0;
  for (const [name, text] of Object.entries(queries)) {
    const { diagnostics } = lintCypherQuery(text, { ...schema, parameters: parametersOf(text) });
    const out = diagnostics.map((d) => ({
      message: d.message, severity: d.severity === 1 ? 'error' : 'warning',
      line: d.range.start.line + 1, column: d.range.start.character + 1,
    }));
    if (out.length) bad += 1;
    report.push({ name, diagnostics: out });
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  process.exit(bad ? 1 : 0);
}

main();
