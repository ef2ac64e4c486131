import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vetWebhookUrl, type HostLookup, type VetResult } from './ssrf-guard';

/** A resolver from a fixed table that records what it was asked; never touches DNS. */
function fakeLookup(table: Record<string, string[]>): HostLookup & { asked: string[] } {
  const asked: string[] = [];
  const fn = async (host: string) => {
    asked.push(host);
    const answers = table[host];
    if (!answers)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { asked });
}

function expectRefused(result: VetResult, code: string): string {
  assert.equal(result.ok, false, 'expected a refusal');
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.code, code);
  return result.message;
}

void describe('vetWebhookUrl', () => {
  const lookup = fakeLookup({
    'hooks.example': ['93.184.216.34', '2606:2800:220:1::1'],
    'mixed.example': ['93.184.216.34', '10.1.2.3'],
    'receiver.test': ['127.0.0.1'],
    localhost: ['127.0.0.1', '::1'],
    'weird.example': ['not-an-address'],
  });

  void it('accepts a public host and returns every address it resolved to', async () => {
    const result = await vetWebhookUrl('https://hooks.example/in?x=1', { allowHosts: [], lookup });
    assert.ok(result.ok);
    assert.equal(result.url.hostname, 'hooks.example');
    assert.deepEqual(result.addresses, [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  void it('refuses a host when any one of its addresses is private', async () => {
    const message = expectRefused(
      await vetWebhookUrl('https://mixed.example/', { allowHosts: [], lookup }),
      'blocked_address',
    );
    assert.match(message, /resolves to 10\.1\.2\.3, which is private/);
  });

  void it('never puts the path or query in a message (they may carry tokens)', async () => {
    const message = expectRefused(
      await vetWebhookUrl('http://10.0.0.1/hook?token=s3cret', { allowHosts: [], lookup }),
      'blocked_address',
    );
    assert.doesNotMatch(message, /s3cret|\/hook/);
    assert.match(message, /webhooks\.allowHosts/);
  });

  void it('reports resolver failures and non-IP answers as unresolvable', async () => {
    assert.match(
      expectRefused(
        await vetWebhookUrl('https://nowhere.example/', { allowHosts: [], lookup }),
        'unresolvable',
      ),
      /ENOTFOUND/,
    );
    expectRefused(
      await vetWebhookUrl('https://weird.example/', { allowHosts: [], lookup }),
      'unresolvable',
    );
    const empty: HostLookup = async () => [];
    expectRefused(
      await vetWebhookUrl('https://x.example/', { allowHosts: [], lookup: empty }),
      'unresolvable',
    );
  });

  void it('refuses localhost names without asking the resolver', async () => {
    const local = fakeLookup({});
    for (const url of ['http://localhost/', 'http://LOCALHOST./', 'http://api.localhost:8080/']) {
      expectRefused(await vetWebhookUrl(url, { allowHosts: [], lookup: local }), 'blocked_address');
    }
    assert.deepEqual(local.asked, []);
  });

  void it('does not resolve IP literals', async () => {
    const local = fakeLookup({});
    const result = await vetWebhookUrl('http://[2606:4700::1111]:8443/', {
      allowHosts: [],
      lookup: local,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.addresses, [{ address: '2606:4700::1111', family: 6 }]);
    assert.deepEqual(local.asked, []);
  });

  void it('refuses malformed, over-long and non-http URLs', async () => {
    expectRefused(await vetWebhookUrl('not a url', { allowHosts: [], lookup }), 'invalid_url');
    expectRefused(await vetWebhookUrl('/relative/path', { allowHosts: [], lookup }), 'invalid_url');
    const long = `https://hooks.example/${'a'.repeat(2100)}`;
    expectRefused(await vetWebhookUrl(long, { allowHosts: [], lookup }), 'invalid_url');
    for (const url of [
      'ftp://hooks.example/',
      'file:///etc/passwd',
      'gopher://hooks.example/',
      'javascript:alert(1)',
    ]) {
      expectRefused(await vetWebhookUrl(url, { allowHosts: [], lookup }), 'scheme_not_allowed');
    }
  });

  void it('refuses credentials in the URL, even for an allowed host', async () => {
    for (const url of [
      'http://user:pass@hooks.example/',
      'http://user@hooks.example/',
      'http://:pw@receiver.test/',
    ]) {
      assert.match(
        expectRefused(
          await vetWebhookUrl(url, { allowHosts: ['receiver.test'], lookup }),
          'invalid_url',
        ),
        /credentials/,
      );
    }
  });

  void describe('allowHosts', () => {
    const vet = (url: string, allowHosts: string[]) => vetWebhookUrl(url, { allowHosts, lookup });

    void it('exempts an exact hostname on any port, and keeps its resolved addresses', async () => {
      const result = await vet('http://receiver.test:4321/', ['receiver.test']);
      assert.ok(result.ok);
      assert.deepEqual(result.addresses, [{ address: '127.0.0.1', family: 4 }]);
    });

    void it('exempts host:port only on that port, counting default ports', async () => {
      assert.ok((await vet('http://127.0.0.1:4321/', ['127.0.0.1:4321'])).ok);
      expectRefused(await vet('http://127.0.0.1:4322/', ['127.0.0.1:4321']), 'blocked_address');
      assert.ok((await vet('http://receiver.test/', ['receiver.test:80'])).ok);
      expectRefused(await vet('https://receiver.test/', ['receiver.test:80']), 'blocked_address');
    });

    void it('matches entries the way URLs are normalised (case, IPv6 brackets, numeric IPv4)', async () => {
      assert.ok((await vet('http://receiver.test/', ['RECEIVER.test'])).ok);
      assert.ok((await vet('http://[::1]:9/', ['::1'])).ok);
      assert.ok((await vet('http://[::1]:9/', ['[::1]:9'])).ok);
      assert.ok((await vet('http://2130706433/', ['127.0.0.1'])).ok);
      assert.ok((await vet('http://localhost:9/', ['localhost'])).ok);
    });

    void it('never matches on a suffix, a prefix or a different host', async () => {
      expectRefused(await vet('http://127.0.0.1/', ['127.0.0.10']), 'blocked_address');
      expectRefused(
        await vet('http://10.0.0.1/', ['0.0.1', '10.0.0.1.nip.io', '']),
        'blocked_address',
      );
      expectRefused(
        await vet('http://receiver.test/', ['test', 'x.receiver.test', 'not a host']),
        'blocked_address',
      );
    });
  });
});
