/**
 * Boot refuses a deployment that claims a task its adapter cannot do: the real app process
 * exits non-zero and its output names the deployment, the task, and what the adapter serves.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AppName } from '../support/gateway-harness';
import { repoRoot, testInfra } from '../support/repo';

/** Runs an app with a config until it exits (at most 30 s); its exit code and output. */
async function bootWith(app: AppName, config: string): Promise<{ code: number; output: string }> {
  const dir = join(
    process.env.GATEWAY_TEST_DATA_DIR ?? join(repoRoot(), '.gateway', 'test'),
    `boot-${randomBytes(4).toString('hex')}`,
  );
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'gateway.yaml');
  writeFileSync(configPath, config);
  const infra = testInfra();
  // The compiled apps sit beside this compiled file: <dist>/test/e2e → <dist>.
  const main = join(__dirname, '..', '..', 'apps', app, 'main.js');
  const child = spawn(process.execPath, [main], {
    cwd: repoRoot(),
    env: {
      ...process.env,
      GATEWAY_CONFIG: configPath,
      GATEWAY_DATA_DIR: dir,
      GATEWAY_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number>((resolve) =>
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 : 0))),
  );
  clearTimeout(timer);
  return { code, output };
}

const VISION_WITH_CHAT = `
providers:
  - { id: vision, type: google-vision, baseUrl: "http://127.0.0.1:9", apiKey: vision-key }
deployments:
  - { id: vision-chat, provider: vision, model: builtin/stable, class: llm, tasks: [chat] }
`;

describe('config boot checks against the adapter catalogue', () => {
  for (const app of ['worker-llm', 'ingest-api'] as const) {
    it(`${app} exits non-zero naming the fix when google-vision claims chat`, async () => {
      const { code, output } = await bootWith(app, VISION_WITH_CHAT);
      assert.notEqual(code, 0, output);
      assert.match(output, /deployments\[0\]\.tasks/);
      assert.match(
        output,
        /provider type "google-vision" cannot serve "chat"; it serves image\.classify, image\.ocr\. Remove "chat" from the tasks, or serve it from a deployment on a provider of type local, openai, azure-openai, openai-compatible, anthropic, gemini, bedrock/,
      );
      assert.doesNotMatch(output, /vision-key/, 'the credential stays out of the output');
    });
  }
});
