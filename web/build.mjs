// Bundles the contributor page: node web/build.mjs [--abi FILE] [--out DIR]
// --abi: a JSON export {"contracts": {Name: abi}, "enums": {...}} (cargo xtask web writes one from
// the compiler's output); without it the ABIs are read from bindings/abi/<Contract>.json (written by
// `cargo xtask bindings`) or else forge's out/ (`forge build`), and enum names from contracts/.
// Writes DIR (default target/web/dist): index.html, style.css, app.js, build.json (sizes).

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const CONTRACTS = ['DatanetToken', 'DatanetRegistry', 'ModelRegistry', 'AttributionPool'];

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : fallback;
}

function fromCommittedOrForge() {
  const contracts = {};
  for (const name of CONTRACTS) {
    const exported = join(root, 'bindings', 'abi', `${name}.json`);
    const artifact = join(root, 'out', `${name}.sol`, `${name}.json`);
    if (existsSync(exported)) contracts[name] = JSON.parse(readFileSync(exported, 'utf8'));
    else if (existsSync(artifact)) contracts[name] = JSON.parse(readFileSync(artifact, 'utf8')).abi;
    else throw new Error(`no ABI for ${name}: run \`cargo xtask bindings\` or \`forge build\`, or pass --abi (cargo xtask web does)`);
  }
  return { contracts, enums: enumsFromSources(join(root, 'contracts')) };
}

/** Enum members by canonical name (`IDatanetRegistry.Status`), read from the Solidity sources. */
function enumsFromSources(dir) {
  const enums = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(enums, enumsFromSources(path));
    if (!entry.isFile() || !entry.name.endsWith('.sol')) continue;
    const source = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const scopes = [...source.matchAll(/\b(?:interface|contract|library)\s+(\w+)/g)];
    for (const m of source.matchAll(/\benum\s+(\w+)\s*\{([^}]*)\}/g)) {
      const scope = scopes.filter((s) => s.index < m.index).at(-1)?.[1];
      enums[scope ? `${scope}.${m[1]}` : m[1]] = m[2].split(',').map((x) => x.trim()).filter(Boolean);
    }
  }
  return enums;
}

const abiFile = arg('--abi', null);
const outDir = arg('--out', join(root, 'target', 'web', 'dist'));
const exported = abiFile ? JSON.parse(readFileSync(abiFile, 'utf8')) : fromCommittedOrForge();
for (const name of CONTRACTS) if (!Array.isArray(exported.contracts?.[name])) throw new Error(`no ABI for ${name}`);

const abiPlugin = {
  name: 'datanet-abi',
  setup(b) {
    b.onResolve({ filter: /^datanet-abi$/ }, () => ({ path: 'datanet-abi', namespace: 'datanet-abi' }));
    b.onLoad({ filter: /.*/, namespace: 'datanet-abi' }, () => ({ contents: JSON.stringify(exported), loader: 'json' }));
  },
};

mkdirSync(outDir, { recursive: true });
const started = performance.now();
const result = await build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
  outfile: join(outDir, 'app.js'),
  plugins: [abiPlugin],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(join(here, file), join(outDir, file));

const sizes = {};
for (const file of ['app.js', 'index.html', 'style.css']) {
  const bytes = readFileSync(join(outDir, file));
  sizes[file] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
const total = Object.values(sizes).reduce((s, x) => ({ bytes: s.bytes + x.bytes, gzip: s.gzip + x.gzip }), { bytes: 0, gzip: 0 });
const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('app.js'))].inputs)
  .map(([path, v]) => [path.startsWith('node_modules/') ? path.split('/').slice(0, path.startsWith('node_modules/@') ? 3 : 2).join('/') : path, v.bytesInOutput])
  .reduce((m, [k, v]) => m.set(k, (m.get(k) ?? 0) + v), new Map());
writeFileSync(join(outDir, 'build.json'), `${JSON.stringify({ sizes, total, inputs: Object.fromEntries(inputs) }, null, 2)}\n`);
console.log(
  `web: ${outDir} in ${Math.round(performance.now() - started)} ms — app.js ${sizes['app.js'].bytes} bytes ` +
    `(${sizes['app.js'].gzip} gzipped); page total ${total.bytes} bytes (${total.gzip} gzipped)`,
);
