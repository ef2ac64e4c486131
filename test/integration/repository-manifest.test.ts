import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RUNTIME_ENV_NAMES } from '@gateway/config';
import { repoRoot } from '../support/repo';

const root = repoRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Environment variables read outside libs/config, by the tool that reads each. */
const OUTSIDE_CONFIG: Record<string, string> = {
  KAFKA_CONTROLLER_PORT: 'scripts/start.ts',
  GATEWAY_URL: 'apps/cli/src/admin-client.ts',
  GATEWAY_TEST_REDIS: 'scripts/test.ts',
};

/** The variables named in the first column of the README's configuration table. */
function readmeEnvTable(): Set<string> {
  const readme = read('README.md');
  const from = readme.indexOf('| variable ');
  assert.ok(from > 0, 'the README has a configuration table');
  const rows = readme.slice(from, readme.indexOf('\n\n', from)).split('\n').slice(2);
  return new Set(
    rows.flatMap((r) => [...r.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])),
  );
}

describe('repository manifest', () => {
  it('documents every environment variable in the README table, and only those', () => {
    const documented = readmeEnvTable();
    const known = [...RUNTIME_ENV_NAMES, ...Object.keys(OUTSIDE_CONFIG)];
    assert.deepEqual(
      known.filter((n) => !documented.has(n)),
      [],
      'variables the code reads that the README does not list',
    );
    assert.deepEqual(
      [...documented].filter((n) => !known.includes(n)),
      [],
      'variables the README lists that nothing reads',
    );
  });

  it('reads no environment variable outside libs/config but the known ones', () => {
    const files = [
      ...['scripts', 'scripts/lib', 'infra/src', 'apps/cli/src'].flatMap((dir) =>
        readdirSync(join(root, dir))
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
          .map((f) => join(dir, f)),
      ),
    ];
    const unknown = files.flatMap((f) =>
      [...read(f).matchAll(/\b(?:process\.)?env\.([A-Z][A-Z0-9_]+)/g)]
        .map((m) => m[1])
        .filter((n) => !RUNTIME_ENV_NAMES.includes(n) && !(n in OUTSIDE_CONFIG))
        .map((n) => `${f}: ${n}`),
    );
    assert.deepEqual(unknown, []);
  });

  it('decides on every dependency install script in allowScripts', () => {
    const pkg = JSON.parse(read('package.json')) as { allowScripts: Record<string, boolean> };
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path && p.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(withScripts.length > 0);
    assert.deepEqual(
      withScripts.filter((name) => !(name in pkg.allowScripts)),
      [],
      'packages with install scripts that allowScripts neither approves nor denies',
    );
  });

  it('runs on Node 24, provided by the node dev dependency', () => {
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    assert.equal(pkg.engines.node, '>=24 <25');
    assert.match(pkg.devDependencies.node, /^\^24\./);
  });

  it('CI runs npm test and nothing else', () => {
    const commands = read('.ci/run')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !/^(set|cd) /.test(l));
    assert.deepEqual(commands, ['npm test']);
  });
});
