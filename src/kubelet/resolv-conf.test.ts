import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolvConf, readResolvConf, resolvConfLimitsWarning, ResolvConfError } from './resolv-conf.js';

describe('the node resolv.conf', () => {
  test('nameservers accumulate, the last search and options lines win, comments and other keys are skipped', () => {
    const text = [
      '# generated',
      'nameserver 10.0.0.1',
      'domain example.org',
      'search a.example b.example',
      '  nameserver   10.0.0.2  # second',
      'search c.example. d.example',
      'options ndots:2',
      'options timeout:1 attempts:3',
      '',
    ].join('\n');
    assert.deepEqual(parseResolvConf(text), {
      servers: ['10.0.0.1', '10.0.0.2'],
      searches: ['c.example', 'd.example'],
      options: ['timeout:1', 'attempts:3'],
    });
  });

  test('an empty file gives no nameservers, searches or options', () => {
    assert.deepEqual(parseResolvConf(''), { servers: [], searches: [], options: [] });
  });

  test('a nameserver line without an address is refused with upstream words, once however often it appears', () => {
    assert.throws(() => parseResolvConf('nameserver\nnameserver 1.1.1.1\nnameserver\n'), (e: unknown) => e instanceof ResolvConfError && e.message === 'nameserver list is empty ');
  });

  test('a missing file reads as Go says it: open PATH: no such file or directory', async () => {
    await assert.rejects(readResolvConf('/nonexistent/k8ts/resolv.conf'), (e: unknown) => e instanceof ResolvConfError && e.message === 'open /nonexistent/k8ts/resolv.conf: no such file or directory');
  });

  test('a file on disk is read and parsed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-resolv-'));
    try {
      const path = join(dir, 'resolv.conf');
      await writeFile(path, 'nameserver 127.0.0.53\nsearch corp.example\noptions edns0\n');
      assert.deepEqual(await readResolvConf(path), { servers: ['127.0.0.53'], searches: ['corp.example'], options: ['edns0'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the limits check warns about more search domains than pods can take besides the three cluster ones', () => {
    const searches = Array.from({ length: 30 }, (_, i) => `d${i}.example`);
    assert.equal(resolvConfLimitsWarning('/etc/resolv.conf', searches, 'cluster.local'), "Resolv.conf file '/etc/resolv.conf' contains search line consisting of more than 29 domains!");
    assert.equal(resolvConfLimitsWarning('/etc/resolv.conf', searches, ''), undefined);
  });

  test('the limits check warns about a search path longer than 253 characters and a line longer than 2048', () => {
    assert.equal(resolvConfLimitsWarning('/r', ['x'.repeat(254)], 'cluster.local'), 'Resolv.conf file "/r" contains a search path which length is more than allowed 253 chars!');
    const long = Array.from({ length: 10 }, () => 'y'.repeat(250));
    assert.equal(resolvConfLimitsWarning('/r', long, 'cluster.local'), "Resolv.conf file '/r' contains search line which length is more than allowed 2048 chars!");
    assert.equal(resolvConfLimitsWarning('/r', ['corp.example'], 'cluster.local'), undefined);
  });
});
