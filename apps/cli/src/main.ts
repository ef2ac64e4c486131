#!/usr/bin/env node
import { AdminClient, CliError, EXIT, resolveTarget } from './admin-client';
import { COMMANDS, humanOutput, type Args } from './commands';

const HELP = `gateway: operate an AI Gateway over its admin API

  gateway tenants list | get <id> | create <id>
  gateway keys list <tenant> | create <tenant> [--scopes a,b] [--expires-at ISO]
               [--daily-usd N] [--monthly-usd N] | revoke <keyId>
               | budget <keyId> (--daily-usd N | --monthly-usd N | --none)
  gateway jobs get <id> | cancel <id> | retry <id> | retry --all | retry [--deployment D] [--code C] [--tenant T]
  gateway jobs failures [--deployment D] [--code C] [--limit N]
  gateway queues stats | pause <deployment> | resume <deployment> | drain <deployment> [--wait SEC]
  gateway usage report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tenant T]     (CSV)
  gateway webhooks dead [--limit N] | replay <deliveryId> | replay --all

Options: --json (print the API's JSON). Environment: GATEWAY_URL (default http://127.0.0.1:8080),
GATEWAY_ADMIN_KEY (else .gateway/admin-key).
Exit codes: 0 ok, 1 failed, 2 usage, 3 auth, 4 not found, 5 refused (4xx), 6 unavailable (5xx, unreachable).`;

export function parseArgs(argv: readonly string[]): Args {
  const words: string[] = [];
  const opts: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      words.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2);
    const next = argv[i + 1];
    if (inline !== undefined) opts[name] = inline;
    else if (name === 'json' || name === 'all' || next === undefined || next.startsWith('--'))
      opts[name] = true;
    else opts[name] = argv[++i];
  }
  return { words, opts };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const command = args.words.slice(0, 2).join(' ');
  if (!args.words.length || args.words[0] === 'help' || args.opts.help) {
    process.stdout.write(`${HELP}\n`);
    return args.words.length || args.opts.help ? EXIT.ok : EXIT.usage;
  }
  const handler = COMMANDS[command];
  if (!handler) throw new CliError(`Unknown command "${command}"; see "gateway help"`, EXIT.usage);
  const client = new AdminClient(resolveTarget(process.env, process.cwd()));
  const result = await handler(client, args);
  const out = args.opts.json ? JSON.stringify(result, null, 2) : humanOutput(command, result);
  process.stdout.write(out.endsWith('\n') || out === '' ? out : `${out}\n`);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`gateway: ${(e as Error).message}\n`);
    process.exit(e instanceof CliError ? e.exitCode : EXIT.failed);
  },
);
