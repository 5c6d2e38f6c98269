import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, lstatSync, readlinkSync, statSync, mkdirSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarToBuffer, tarToStream, normalizeTarName, type TarEntry } from './tar-writer.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-tar-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function gnuTar(args: string[]): string {
  return execFileSync('tar', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
}

/** Writes the archive, then lists it and extracts it with GNU tar into a fresh directory. */
function roundTrip(name: string, entries: TarEntry[]): { listing: string[]; root: string } {
  const file = join(dir, `${name}.tar`);
  writeFileSync(file, tarToBuffer(entries));
  const listing = gnuTar(['--numeric-owner', '--quoting-style=literal', '-tvf', file]).trim().split('\n');
  const root = join(dir, name);
  mkdirSync(root);
  gnuTar(['--numeric-owner', '--same-permissions', '-xf', file, '-C', root]);
  return { listing, root };
}

const long = `${'d'.repeat(60)}/${'e'.repeat(70)}/${'f'.repeat(80)}/${'g'.repeat(90)}.txt`;

describe('tar writer', () => {
  test('GNU tar lists and extracts files, directories, symlinks and hard links with their modes, owners and times', () => {
    const { listing, root } = roundTrip('basic', [
      { type: 'directory', name: 'bin', mode: 0o755, mtime: 1_700_000_000 },
      { type: 'file', name: 'bin/tool', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755, uid: 1000, gid: 1001, mtime: 1_700_000_000 },
      { type: 'symlink', name: 'bin/alias', target: 'tool' },
      { type: 'hardlink', name: 'bin/copy', target: 'bin/tool', mode: 0o755 },
      { type: 'directory', name: '/tmp/', mode: 0o1777 },
      { type: 'file', name: './etc/empty', data: Buffer.alloc(0), mode: 0o600 },
      { type: 'file', name: 'etc/block', data: Buffer.alloc(512, 7) },
    ]);
    assert.deepEqual(
      listing.map((l) => l.replace(/\s+/g, ' ')),
      [
        'drwxr-xr-x 0/0 0 2023-11-14 22:13 bin/',
        '-rwxr-xr-x 1000/1001 18 2023-11-14 22:13 bin/tool',
        'lrwxrwxrwx 0/0 0 1970-01-01 00:00 bin/alias -> tool',
        'hrwxr-xr-x 0/0 0 1970-01-01 00:00 bin/copy link to bin/tool',
        'drwxrwxrwt 0/0 0 1970-01-01 00:00 tmp/',
        '-rw------- 0/0 0 1970-01-01 00:00 etc/empty',
        '-rw-r--r-- 0/0 512 1970-01-01 00:00 etc/block',
      ],
    );
    assert.equal(readFileSync(join(root, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(statSync(join(root, 'bin/tool')).mode & 0o7777, 0o755);
    assert.equal(statSync(join(root, 'bin/tool')).uid, 1000);
    assert.equal(statSync(join(root, 'bin/tool')).mtimeMs, 1_700_000_000_000);
    assert.equal(readlinkSync(join(root, 'bin/alias')), 'tool');
    assert.equal(statSync(join(root, 'bin/copy')).ino, statSync(join(root, 'bin/tool')).ino);
    assert.equal(statSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
    assert.equal(statSync(join(root, 'etc/empty')).mode & 0o7777, 0o600);
    assert.deepEqual(readFileSync(join(root, 'etc/block')), Buffer.alloc(512, 7));
  });

  test('names longer than 100 bytes use the ustar prefix, and longer or non-ASCII ones a pax header', () => {
    const veryLong = `${'x'.repeat(200)}/${'y'.repeat(120)}`;
    const linkTarget = `/${'t'.repeat(150)}`;
    const { listing, root } = roundTrip('long', [
      { type: 'file', name: long, data: Buffer.from('prefix') },
      { type: 'file', name: veryLong, data: Buffer.from('pax') },
      { type: 'file', name: 'ünïcödé.txt', data: Buffer.from('utf8') },
      { type: 'symlink', name: 'far', target: linkTarget },
      { type: 'directory', name: `${'z'.repeat(130)}/${'w'.repeat(40)}`, mode: 0o700 },
    ]);
    assert.equal(listing.length, 5);
    assert.ok(listing[0]?.endsWith(` ${long}`), listing[0]);
    assert.ok(listing[1]?.endsWith(` ${veryLong}`), listing[1]);
    assert.ok(listing[2]?.endsWith(' ünïcödé.txt'), listing[2]);
    assert.ok(listing[3]?.endsWith(` far -> ${linkTarget}`), listing[3]);
    assert.ok(listing[4]?.startsWith('drwx------'), listing[4]);
    assert.equal(readFileSync(join(root, long), 'utf8'), 'prefix');
    assert.equal(readFileSync(join(root, veryLong), 'utf8'), 'pax');
    assert.equal(readFileSync(join(root, 'ünïcödé.txt'), 'utf8'), 'utf8');
    assert.equal(readlinkSync(join(root, 'far')), linkTarget);
    assert.ok(lstatSync(join(root, 'z'.repeat(130), 'w'.repeat(40))).isDirectory());
  });

  test('uids beyond the ustar octal field are carried in a pax header', () => {
    const { listing, root } = roundTrip('bigid', [
      { type: 'file', name: 'big', data: Buffer.from('x'), uid: 0o10000000, gid: 0o10000001 },
    ]);
    assert.match(listing[0] ?? '', / 2097152\/2097153 +1 /);
    assert.equal(statSync(join(root, 'big')).uid, 0o10000000);
  });

  test('the stream form writes the same bytes as the buffer form', async () => {
    const entries: TarEntry[] = [
      { type: 'directory', name: 'a' },
      { type: 'file', name: 'a/b', data: Buffer.from('hello') },
    ];
    const file = join(dir, 'stream.tar');
    await pipeline(tarToStream(entries), createWriteStream(file));
    assert.deepEqual(readFileSync(file), tarToBuffer(entries));
    assert.equal(readFileSync(file).length % 512, 0);
    assert.deepEqual(gnuTar(['-tf', file]).trim().split('\n'), ['a/', 'a/b']);
  });

  test('the same entries always give the same bytes', () => {
    const entries: TarEntry[] = [{ type: 'file', name: 'f', data: Buffer.from('same') }];
    assert.deepEqual(tarToBuffer(entries), tarToBuffer(entries));
  });

  test('names are normalised and unsafe names are refused', () => {
    assert.equal(normalizeTarName('/usr/bin/', true), 'usr/bin/');
    assert.equal(normalizeTarName('./etc/passwd', false), 'etc/passwd');
    assert.throws(() => normalizeTarName('../escape', false), /contains '\.\.'/);
    assert.throws(() => normalizeTarName('/', true), /is empty/);
    assert.throws(() => tarToBuffer([{ type: 'file', name: 'x', data: Buffer.alloc(0), mode: 0o17777 }]), /invalid mode/);
  });
});
