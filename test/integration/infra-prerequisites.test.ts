import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import {
  ensureRedisServerInstalled,
  freePort,
  hasCommand,
  javaMajorVersion,
  KAFKA_VERSION,
  startKafka,
} from '../../infra/src';
import { repoRoot } from '../support/repo';

/**
 * What `npm start` and `npm test` do when a tool is missing, on a PATH that holds only `sh`
 * and the stand-ins a test writes (a fake apt-get, an old java): install it when it may,
 * else stop with the command that fixes it.
 */
describe('missing prerequisites', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-prereq-'));
  const savedPath = process.env.PATH;
  let bin = '';
  let n = 0;
  beforeEach(() => {
    bin = join(root, `bin-${n++}`);
    mkdirSync(bin);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    process.env.PATH = bin;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  const kafkaOn = async (cacheDir: string) =>
    startKafka({
      brokers: [`127.0.0.1:${await freePort()}`],
      dataDir: join(root, `data-${n}`),
      cacheDir,
      repoRoot: repoRoot(),
      log: () => undefined,
    });
  /** A cache that already holds the broker's jars, as after a first run. */
  const warmCache = () => {
    const dir = join(root, `cache-${n}`);
    mkdirSync(join(dir, `kafka-${KAFKA_VERSION}`, 'libs'), { recursive: true });
    writeFileSync(join(dir, `kafka-${KAFKA_VERSION}`, 'libs', '.complete'), 'x');
    return dir;
  };

  it('without root, a missing redis-server stops with the apt-get command that installs it', async () => {
    assert.equal(hasCommand('redis-server'), false);
    await assert.rejects(
      ensureRedisServerInstalled(() => undefined, false),
      /redis-server is not installed\. Install it with: sudo apt-get update && sudo apt-get install -y redis-server/,
    );
  });

  it('as root without apt-get (not Debian/Ubuntu), it stops with the same fix', async () => {
    await assert.rejects(
      ensureRedisServerInstalled(() => undefined, true),
      /sudo apt-get install -y redis-server/,
    );
  });

  it('as root on Debian/Ubuntu, it installs redis-server with apt-get', async () => {
    const calls = join(bin, 'apt-get.calls');
    script(
      'apt-get',
      [
        `echo "$*" >> ${calls}`,
        `if [ "$1" = install ]; then echo '#!/bin/sh' > ${bin}/redis-server; /bin/chmod +x ${bin}/redis-server; fi`,
      ].join('\n'),
    );
    const said: string[] = [];
    await ensureRedisServerInstalled((m) => said.push(m), true);
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
      'update -q',
      'install -y -q redis-server',
    ]);
    assert.ok(hasCommand('redis-server'), 'redis-server is on the PATH afterwards');
    assert.match(said.join('\n'), /installing it with apt-get/);
  });

  it('a missing Java stops with the fix, also when the Kafka jars are already cached', async () => {
    await assert.rejects(
      kafkaOn(warmCache()),
      /Java 17\+ is needed to run Kafka: sudo apt-get install -y openjdk-17-jre-headless/,
    );
  });

  it('a Java older than 17 stops with the fix', async () => {
    script('java', `echo 'openjdk version "11.0.22" 2024-01-16' >&2`);
    assert.equal(javaMajorVersion(), 11);
    await assert.rejects(
      kafkaOn(warmCache()),
      new RegExp(`Kafka ${KAFKA_VERSION} needs Java 17\\+, found Java 11: sudo apt-get install`),
    );
  });

  it('reads the old 1.x version scheme as its major version', () => {
    script('java', `echo 'java version "1.8.0_392"' >&2`);
    assert.equal(javaMajorVersion(), 8);
  });

  it('a missing Maven stops with the fix when the jars must be fetched', async () => {
    script('java', `echo 'openjdk version "17.0.13" 2024-10-15' >&2`);
    await assert.rejects(
      kafkaOn(join(root, `empty-cache-${n}`)),
      /Maven is needed to fetch Kafka: sudo apt-get install -y maven/,
    );
  });
});
