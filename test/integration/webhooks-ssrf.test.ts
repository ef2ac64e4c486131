import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deliverWebhook, vetWebhookUrl, type HostLookup, type VetResult } from '@gateway/webhooks';

interface Hit {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly localAddress: string | undefined;
}

/** A loopback server that records every request it gets; tests assert on what reached it. */
async function startRecorder(answer: RequestListener = (_req, res) => res.writeHead(204).end()) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    hits.push({ url: req.url ?? '', headers: req.headers, localAddress: req.socket.localAddress });
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return { port, hits, close };
}

/** A resolver that answers from a list, one entry per call, and counts the calls. */
function scriptedLookup(answers: readonly string[][]): HostLookup & { calls: () => number } {
  let calls = 0;
  const fn: HostLookup = async () => {
    const answer = answers[Math.min(calls, answers.length - 1)] ?? [];
    calls += 1;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { calls: () => calls });
}

function refusal(result: VetResult): { code: string; message: string } {
  assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
  return result.ok ? { code: '', message: '' } : result;
}

const body = JSON.stringify({ type: 'job.succeeded', data: { id: 'job_1' } });
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

void describe('SSRF guard: vetting refuses internal targets (no traffic is sent)', () => {
  const evil = scriptedLookup([['127.0.0.1']]);
  const mixed = scriptedLookup([['93.184.216.34', '10.0.0.7']]);
  const vectors: ReadonlyArray<readonly [string, string, HostLookup?]> = [
    ['http://127.0.0.1/', 'blocked_address'],
    ['http://localhost/', 'blocked_address'],
    ['http://[::1]/', 'blocked_address'],
    ['http://10.0.0.1/', 'blocked_address'],
    ['http://172.16.0.1/', 'blocked_address'],
    ['http://192.168.1.1/', 'blocked_address'],
    ['http://169.254.169.254/latest/meta-data/', 'blocked_address'],
    ['http://[fd00:ec2::254]/', 'blocked_address'],
    ['http://0.0.0.0/', 'blocked_address'],
    ['http://[::]/', 'blocked_address'],
    ['http://[::ffff:127.0.0.1]/', 'blocked_address'],
    ['http://[::ffff:7f00:1]/', 'blocked_address'],
    ['http://[::ffff:169.254.169.254]/', 'blocked_address'],
    ['http://[64:ff9b::7f00:1]/', 'blocked_address'],
    ['http://[fe80::1]/', 'blocked_address'],
    ['http://100.64.0.1/', 'blocked_address'],
    ['http://2130706433/', 'blocked_address'],
    ['http://0177.0.0.1/', 'blocked_address'],
    ['http://0x7f.1/', 'blocked_address'],
    ['http://0x7f000001/', 'blocked_address'],
    ['http://127.1/', 'blocked_address'],
    ['http://evil.example/', 'blocked_address', evil],
    ['http://mixed.example/', 'blocked_address', mixed],
    ['ftp://example.com/', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['http://user:pass@example.com/', 'invalid_url'],
    ['http://exa mple.com/', 'invalid_url'],
  ];

  for (const [url, code, lookup] of vectors) {
    void it(`refuses ${url} with ${code}`, async () => {
      const { code: actual, message } = refusal(
        await vetWebhookUrl(url, { allowHosts: [], lookup }),
      );
      assert.equal(actual, code);
      assert.ok(message.length > 20, `message should explain the refusal: "${message}"`);
    });
  }

  void it('explains which address of a hostname was refused, and why', async () => {
    const { message } = refusal(
      await vetWebhookUrl('http://mixed.example/', { allowHosts: [], lookup: mixed }),
    );
    assert.match(message, /"mixed\.example" resolves to 10\.0\.0\.7, which is private/);
    const metadata = refusal(await vetWebhookUrl('http://169.254.169.254/', { allowHosts: [] }));
    assert.match(metadata.message, /cloud metadata/);
  });

  void it('accepts a host resolving to a public address (vetting only; never connected to)', async () => {
    const lookup = scriptedLookup([['93.184.216.34']]);
    const result = await vetWebhookUrl('https://hooks.example/in', { allowHosts: [], lookup });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.addresses, [{ address: '93.184.216.34', family: 4 }]);
  });

  void it('re-vetting sees a rebinding answer: public first, loopback next time is refused', async () => {
    const rebinding = scriptedLookup([['93.184.216.34'], ['127.0.0.1']]);
    const opts = { allowHosts: [], lookup: rebinding };
    assert.equal((await vetWebhookUrl('https://rebind.example/', opts)).ok, true);
    assert.equal(
      refusal(await vetWebhookUrl('https://rebind.example/', opts)).code,
      'blocked_address',
    );
  });
});

void describe('SSRF guard at delivery: a loopback receiver is never reached unless allowed', () => {
  let target: Awaited<ReturnType<typeof startRecorder>>;
  before(async () => {
    target = await startRecorder();
  });
  after(async () => {
    await target.close();
  });

  void it('refuses every spelling of the receiver address, and the receiver sees nothing', async () => {
    const p = target.port;
    const toLoopback = scriptedLookup([['127.0.0.1']]);
    const urls = [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://2130706433:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://0x7f.1:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://evil.example:${p}/`,
    ];
    for (const url of urls) {
      const result = await deliverWebhook({
        url,
        body,
        headers,
        allowHosts: [],
        lookup: toLoopback,
        timeoutMs: 2000,
      });
      assert.equal(result.ok, false, url);
      assert.equal(result.error?.code, 'blocked_address', `${url}: ${JSON.stringify(result)}`);
    }
    assert.equal(target.hits.length, 0);
  });

  void it('control: the same receiver is reached once its host:port is allowed', async () => {
    const url = `http://127.0.0.1:${target.port}/control`;
    const result = await deliverWebhook({
      url,
      body,
      headers,
      allowHosts: [`127.0.0.1:${target.port}`],
      timeoutMs: 2000,
    });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(
      target.hits.map((h) => h.url),
      ['/control'],
    );
    target.hits.length = 0;
  });
});

void describe('redirects are not followed', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    void it(`a ${status} to a loopback target fails the attempt and the target is never called`, async () => {
      const target = await startRecorder();
      const redirector = await startRecorder((_req, res) =>
        res.writeHead(status, { location: `http://127.0.0.1:${target.port}/internal` }).end(),
      );
      try {
        const result = await deliverWebhook({
          url: `http://127.0.0.1:${redirector.port}/hook`,
          body,
          headers,
          allowHosts: [`127.0.0.1:${redirector.port}`],
          timeoutMs: 2000,
        });
        assert.equal(result.ok, false);
        assert.equal(result.status, status);
        assert.equal(result.error?.code, 'redirect');
        assert.match(result.error?.message ?? '', /redirects are not followed/);
        assert.equal(redirector.hits.length, 1);
        assert.equal(target.hits.length, 0);
      } finally {
        await Promise.all([target.close(), redirector.close()]);
      }
    });
  }
});

void describe('DNS rebinding: the connection goes to the vetted address', () => {
  void it('connects to the address vetting saw, although the name now resolves elsewhere', async () => {
    const receiver = await startRecorder();
    // First answer (the one vetted) is the receiver; every later answer is another loopback
    // address where nothing listens, so a second resolution would make the delivery fail.
    const rebinding = scriptedLookup([['127.0.0.1'], ['127.0.0.2']]);
    // A reserved name: were the vetted answer not pinned, the system resolver could not
    // resolve it either, so no traffic could leave the machine.
    const host = 'rebind.invalid';
    try {
      const result = await deliverWebhook({
        url: `http://${host}:${receiver.port}/hook?attempt=1`,
        body,
        headers,
        allowHosts: [host],
        lookup: rebinding,
        timeoutMs: 2000,
      });
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(rebinding.calls(), 1);
      assert.equal(receiver.hits.length, 1);
      assert.equal(receiver.hits[0]?.localAddress, '127.0.0.1');
      assert.equal(receiver.hits[0]?.headers.host, `${host}:${receiver.port}`);
      assert.equal(receiver.hits[0]?.url, '/hook?attempt=1');
    } finally {
      await receiver.close();
    }
  });
});
