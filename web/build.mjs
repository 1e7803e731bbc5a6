// Bundles the contributor page: node web/build.mjs [--abi FILE] [--out DIR]
// --abi: a JSON export {"contracts": {Name: abi}, "enums": {...}} (cargo xtask web writes one from
// the compiler's output); without it the ABIs are read from forge's out/ (`forge build`).
// Writes DIR (default target/web/dist): index.html, style.css, app.js, build.json (sizes).

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

function fromForgeOut() {
  const contracts = {};
  const enums = {};
  for (const name of CONTRACTS) {
    const file = join(root, 'out', `${name}.sol`, `${name}.json`);
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`node_modules/.bin/forge build\` or pass --abi (cargo xtask web does)`);
    }
    const artifact = JSON.parse(readFileSync(file, 'utf8'));
    contracts[name] = artifact.abi;
    collectEnums(artifact.ast, enums);
  }
  return { contracts, enums };
}

function collectEnums(node, out) {
  if (Array.isArray(node)) return node.forEach((n) => collectEnums(n, out));
  if (!node || typeof node !== 'object') return;
  if (node.nodeType === 'EnumDefinition' && node.canonicalName) out[node.canonicalName] = node.members.map((m) => m.name);
  Object.values(node).forEach((n) => collectEnums(n, out));
}

const abiFile = arg('--abi', null);
const outDir = arg('--out', join(root, 'target', 'web', 'dist'));
const exported = abiFile ? JSON.parse(readFileSync(abiFile, 'utf8')) : fromForgeOut();
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
