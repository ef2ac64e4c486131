/**
 * The README's section per provider: each has a config example, and every example boots
 * against the real adapter catalogue with every deployment enabled (credentials set).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildConfig, interpolateEnv } from '@gateway/config';
import { adapterCatalogue } from '../../libs/providers/src/registry';
import { repoRoot } from '../support/repo';

const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('### Providers'),
  readme.indexOf('### The `local` provider'),
);

/** `#### <type>` heading → the yaml block under it, when there is one. */
function examples(): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const part of section.split(/^#### /m).slice(1)) {
    const type = /^`([^`]+)`/.exec(part)?.[1];
    assert.ok(type, `a provider heading: ${part.slice(0, 40)}`);
    out.set(type, /```yaml\n([\s\S]*?)```/.exec(part)?.[1]);
  }
  return out;
}

describe('README provider sections', () => {
  it('has a section for every adapter type', () => {
    assert.deepEqual([...examples().keys()].sort(), [...adapterCatalogue.types].sort());
  });

  for (const [type, yaml] of examples()) {
    if (type === 'local') continue; // described by the section after; needs no config
    it(`${type}: the example boots with its deployments enabled`, () => {
      assert.ok(yaml, `${type} has a config example`);
      const raw = parseYaml(yaml) as { providers: { type: string }[] };
      assert.ok(raw.providers.every((p) => p.type === type));
      const vars = Object.fromEntries([...yaml.matchAll(/\$\{(\w+)/g)].map((m) => [m[1], 'x']));
      const config = buildConfig(interpolateEnv(raw, vars), adapterCatalogue);
      assert.deepEqual(config.disabled, []);
      assert.ok(config.deployments.some((d) => config.providerById.get(d.provider)?.type === type));
    });
  }
});
