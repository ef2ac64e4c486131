import { existsSync } from 'node:fs';
import { hasCommand, run } from '../../infra/src';

/** Where the browser tests expect Debian's chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The browser tests drive Debian's chromium with playwright-core. On a fresh machine it is
 * installed with apt-get when we are root on Debian/Ubuntu; otherwise we fail naming the command.
 */
export async function ensureChromium(log: (m: string) => void): Promise<void> {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() === 0 && hasCommand('apt-get')) {
    log('chromium is missing (browser tests): installing it with apt-get...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update', '-q'], { quiet: true, env });
    await run('apt-get', ['install', '-y', '-q', 'chromium'], { quiet: true, env });
    if (existsSync(CHROMIUM_PATH)) return;
  }
  throw new Error(
    `chromium is not installed at ${CHROMIUM_PATH} (the browser tests need it). Install it with: ` +
      'sudo apt-get update && sudo apt-get install -y chromium',
  );
}
