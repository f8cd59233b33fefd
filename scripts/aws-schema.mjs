#!/usr/bin/env node
// Derives infra/schema/aws-6.25.json: for every aws_* resource and data type used under infra/, the
// argument names (required or optional) and nested blocks (recursively), read from the generated
// bindings of hashicorp/aws 6.25.0 in @cdktf/provider-aws 21.22.1. The package ships no provider
// schema JSON, but each type's `XxxConfig` interface in lib/<type>/index.d.ts lists every argument
// (`?` = optional), and each member's doc link carries its Terraform name (`…#vpc_config`).
//
// The package is 390 MB unpacked (more than all of node_modules), so it is not a devDependency:
//   node scripts/aws-schema.mjs                     # npm pack + tar into a temporary directory
//   node scripts/aws-schema.mjs --package <dir>     # an unpacked copy (the folder holding lib/)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

export const PACKAGE = '@cdktf/provider-aws@21.22.1';
export const PROVIDER_VERSION = '6.25.0';
const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'infra/schema/aws-6.25.json');

/** Every aws_* resource and data type declared in a .tf file under infra/. */
export function usedTypes(dir = join(root, 'infra')) {
  const found = { resource: new Set(), data: new Set() };
  const walk = (d) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) {
        if (!entry.startsWith('.')) walk(path);
      } else if (entry.endsWith('.tf')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/^(resource|data)\s+"(aws_[a-z0-9_]+)"/gm))
          found[m[1]].add(m[2]);
      }
    }
  };
  walk(dir);
  return { resource: [...found.resource].sort(), data: [...found.data].sort() };
}

function unpack() {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-aws-'));
  const file = execFileSync('npm', ['pack', PACKAGE, '--pack-destination', dir], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['xzf', join(dir, file), '-C', dir]);
  return join(dir, 'package');
}

/** { required: [...], optional: [...], blocks: { name: { required, ...same } } } for one interface. */
function describe(interfaces, name, seen = new Set()) {
  const node = interfaces.get(name);
  if (!node) throw new Error(`interface ${name} not found`);
  const schema = { required: [], optional: [], blocks: {} };
  for (const member of node.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const doc = member.getFullText().match(/\{@link https:\/\/registry\.terraform\.io\/\S+#([a-z0-9_]+) /);
    if (!doc) continue;
    const tfName = doc[1];
    const required = !member.questionToken;
    const typeName = member.type
      .getText()
      .split('|')
      .map((t) => t.trim().replace(/\[\]$/, ''))
      .find((t) => interfaces.has(t));
    if (typeName && !seen.has(typeName)) {
      schema.blocks[tfName] = { required, ...describe(interfaces, typeName, new Set([...seen, typeName])) };
    } else (required ? schema.required : schema.optional).push(tfName);
  }
  schema.required.sort();
  schema.optional.sort();
  if (Object.keys(schema.blocks).length === 0) delete schema.blocks;
  return schema;
}

function schemaFor(pkg, kind, type) {
  const folder = (kind === 'data' ? `data-${type}` : type.replace(/^aws_/, '')).replaceAll('_', '-');
  const file = join(pkg, 'lib', folder, 'index.d.ts');
  if (!existsSync(file)) throw new Error(`${kind} ${type}: no ${file}`);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map();
  for (const statement of source.statements)
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
  const js = readFileSync(join(pkg, 'lib', folder, 'index.js'), 'utf8');
  if (!js.includes(`tfResourceType = "${type}"`)) throw new Error(`${file} is not ${type}`);
  const config = [...interfaces.keys()].find(
    (n) =>
      n.endsWith('Config') &&
      interfaces.get(n).heritageClauses?.some((h) => h.getText().includes('TerraformMetaArguments')),
  );
  return describe(interfaces, config);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--package');
  const pkg = at > 0 ? process.argv[at + 1] : unpack();
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  if (!readme.includes(`provider version ${PROVIDER_VERSION}`))
    throw new Error(`${pkg} is not the bindings of hashicorp/aws ${PROVIDER_VERSION}`);
  const used = usedTypes();
  const schema = {
    provider: 'registry.terraform.io/hashicorp/aws',
    version: PROVIDER_VERSION,
    derivedFrom: `${PACKAGE} (lib/<type>/index.d.ts) by scripts/aws-schema.mjs`,
    resource: Object.fromEntries(used.resource.map((t) => [t, schemaFor(pkg, 'resource', t)])),
    data: Object.fromEntries(used.data.map((t) => [t, schemaFor(pkg, 'data', t)])),
  };
  writeFileSync(out, `${JSON.stringify(schema, null, 1)}\n`);
  console.log(`wrote ${out}: ${used.resource.length} resource and ${used.data.length} data types`);
}
