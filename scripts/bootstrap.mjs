// Entry point of `npm start`, `npm test` and `npm run bench`. Runs on any Node >= 20 with
// npm: installs what is missing, builds what is stale, then hands over to the compiled
// TypeScript script on Node 24 (the `node` dev dependency puts it first on PATH).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'start', ...rest] = process.argv.slice(2);
const scripts = { start: 'start.js', test: 'test.js', bench: 'bench.js' };
if (!scripts[command]) {
  console.error(`Unknown command "${command}"; use one of: ${Object.keys(scripts).join(', ')}`);
  process.exit(2);
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// Install when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.log('Installing dependencies (npm ci)...');
  if (sh('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
}

// Everything below runs on the project's Node 24.
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
const nodeVersion = spawnSync('node', ['-v'], { env, encoding: 'utf8' }).stdout.trim();
if (!nodeVersion.startsWith('v24.')) {
  console.error(
    `Expected Node 24 from the "node" dev dependency, found ${nodeVersion}; run npm ci.`,
  );
  process.exit(1);
}

// tsc -b is incremental: a warm build with no change takes a second or two.
console.log(`Building (Node ${nodeVersion})...`);
if (sh('npm', ['run', '--silent', 'build'], { env }) !== 0) process.exit(1);

const child = spawn(
  'node',
  ['--enable-source-maps', join(root, 'dist', 'scripts', scripts[command]), ...rest],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);
// Ctrl-C reaches the whole process group; a SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
