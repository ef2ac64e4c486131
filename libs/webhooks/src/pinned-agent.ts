import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { ResolvedAddress } from './ssrf-guard';

/**
 * A lookup that answers only with the addresses the SSRF guard vetted.
 *
 * The socket layer would otherwise resolve the hostname a second time, and a hostile DNS
 * server can answer that second query with an internal address (DNS rebinding). The URL
 * keeps its hostname, so the Host header and the TLS server name stay what the user wrote.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
    const first = usable[0];
    if (first === undefined) {
      const err: NodeJS.ErrnoException = new Error('no vetted address of the requested family');
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
      return;
    }
    if (options.all)
      callback(
        null,
        usable.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, first.address, first.family);
  };
}

/**
 * A dispatcher for one delivery attempt, connecting only to the vetted addresses.
 * It is made per attempt so a pinned answer never outlives the vetting that produced it.
 */
export function createPinnedAgent(addresses: readonly ResolvedAddress[], timeoutMs: number): Agent {
  return new Agent({
    connect: { lookup: pinnedLookup(addresses), timeout: timeoutMs },
    connections: 1,
    // Backstops only: the caller's own timer bounds the whole attempt.
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
