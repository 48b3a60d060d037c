// Builds the libtorch addon at `npm ci`. Fails with one line when libtorch is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibtorch } from './libtorch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const found = findLibtorch();
if (found.error) {
  console.error(`medloop: ${found.error}`);
  process.exit(1);
}
// Build against the headers of the running Node (no download: the machine may be offline).
const nodeDir = process.env.npm_config_nodedir || join(dirname(process.execPath), '..');
const headerArgs = existsSync(join(nodeDir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodeDir}`] : [];
const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(gyp)) {
  console.error('medloop: node-gyp is missing: run `npm ci` first');
  process.exit(1);
}
const r = spawnSync(process.execPath, [gyp, process.argv.includes('--incremental') ? 'build' : 'rebuild', '--release', '-j', 'max', ...headerArgs], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('medloop: building the libtorch addon failed (see the compiler output above)');
  process.exit(r.status ?? 1);
}
