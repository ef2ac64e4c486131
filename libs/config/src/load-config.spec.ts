import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TASK_NAMES, type TaskName } from '@gateway/contracts';
import { buildConfig, ConfigError, type AdapterCatalogue } from './load-config';

const catalogue: AdapterCatalogue = {
  types: ['openai', 'local'],
  tasksOf: (type) =>
    ['openai', 'local'].includes(type) ? new Set<TaskName>(TASK_NAMES) : undefined,
  hasCredentials: () => true,
};

const problemsOf = (raw: unknown): string[] => {
  try {
    buildConfig(raw, catalogue);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return assert.fail('the config was accepted');
};

const llm = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider: 'local',
  model: id,
  class: 'llm',
  tasks: ['chat'],
  ...extra,
});

describe('gateway.yaml validation', () => {
  it('lists every problem with its path and how to fix it', () => {
    const problems = problemsOf({
      providers: [{ id: 'local', type: 'local' }],
      deployments: [
        llm('a', { aliases: ['c'] }),
        llm('b', { provider: 'opnai' }),
        llm('c', { tasks: ['embed'] }),
      ],
      routes: [
        { match: { task: 'summarize' }, targets: ['a', 'zz'] },
        { match: {}, targets: ['a'], weights: [1, 2] },
      ],
    });
    assert.deepEqual(problems, [
      'deployments[1].provider: unknown provider "opnai"; known: local',
      'deployments[2].tasks: task "embed" belongs to class "embeddings", not "llm"; move it to a embeddings deployment',
      'deployments[0].aliases[0]: alias "c" of a is also a deployment id; rename the alias or drop it',
      'routes[0].targets[0]: deployment "a" does not serve task "summarize"; add the task to its tasks or target one that serves it: local-llm',
      'routes[0].targets[1]: unknown deployment "zz"; known: a, c, local-llm, local-vision',
      'routes[1].weights: give one weight per target (1)',
      'routes[1].match: name a task, a model alias or metadata to match',
    ]);
  });

  it('takes cascade tuning under routing.cascade, partial weights allowed', () => {
    const cfg = buildConfig(
      { routing: { cascade: { threshold: 0.5, weights: { code: 0.4 } } } },
      catalogue,
    );
    assert.deepEqual(cfg.routing.cascade, { threshold: 0.5, weights: { code: 0.4 } });
    assert.deepEqual(buildConfig({}, catalogue).routing.cascade, {});
  });

  it('refuses cascade tuning that cannot work, naming the path', () => {
    const zero = {
      length: 0,
      code: 0,
      reasoning: 0,
      steps: 0,
      constraints: 0,
      output: 0,
      schema: 0,
    };
    const [p] = problemsOf({ routing: { cascade: { weights: zero } } });
    assert.match(p, /^routing\.cascade\.weights: all seven weights are 0/);
    const problems = problemsOf({ routing: { cascade: { threshold: 1.5, weights: { cod: 1 } } } });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /routing\.cascade\.threshold: /);
    assert.match(problems.join('\n'), /routing\.cascade\.weights: .*"cod"/);
  });
});
