// A POSIX tar writer (ustar headers, with pax extended headers where ustar cannot hold a value): regular
// files, directories, symlinks and hard links. Enough to write OCI image layers and image archives
// byte-for-byte reproducibly (every field is given or defaults to a constant).
import { Readable } from 'node:stream';

const BLOCK = 512;

interface TarEntryCommon {
  /** Path inside the archive, '/'-separated; a leading '/' or './' is dropped. */
  name: string;
  /** Permission bits (and setuid/setgid/sticky), e.g. 0o755. */
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Modification time in whole seconds since the epoch (default 0). */
  mtime?: number;
}

export interface TarFileEntry extends TarEntryCommon {
  type: 'file';
  data: Buffer;
}
export interface TarDirectoryEntry extends TarEntryCommon {
  type: 'directory';
}
export interface TarSymlinkEntry extends TarEntryCommon {
  type: 'symlink';
  /** What the link points at, stored as given (relative or absolute). */
  target: string;
}
export interface TarHardlinkEntry extends TarEntryCommon {
  type: 'hardlink';
  /** The name of an earlier entry in the same archive. */
  target: string;
}
export type TarEntry = TarFileEntry | TarDirectoryEntry | TarSymlinkEntry | TarHardlinkEntry;

const TYPEFLAG: Record<TarEntry['type'], string> = { file: '0', hardlink: '1', symlink: '2', directory: '5' };

function assertNever(x: never): never {
  throw new Error(`unexpected tar entry type ${String(x)}`);
}

/** Normalises an entry name: drops leading '/' and './', ends directories with '/'. */
export function normalizeTarName(name: string, isDirectory: boolean): string {
  let n = name.replace(/^(\.?\/)+/, '');
  if (n.includes('\0')) throw new Error(`tar entry name ${JSON.stringify(name)} contains a NUL byte`);
  n = n.replace(/\/+$/, '');
  if (n === '' || n === '.') throw new Error(`tar entry name ${JSON.stringify(name)} is empty`);
  if (n.split('/').includes('..')) throw new Error(`tar entry name ${JSON.stringify(name)} contains '..'`);
  return isDirectory ? `${n}/` : n;
}

/** One pax record: "<len> <key>=<value>\n", where <len> counts the whole record, itself included. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return Buffer.from(`${len}${body}`, 'utf8');
}

/** Writes `value` as zero-padded octal followed by NUL into a field of `width` bytes; false if it does not fit. */
function fitsOctal(value: number, width: number): boolean {
  return Number.isInteger(value) && value >= 0 && value.toString(8).length <= width - 1;
}

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'ascii');
  header[offset + width - 1] = 0;
}

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

/** Splits a name into ustar prefix (≤155 bytes) and name (≤100 bytes) at a '/', or undefined if impossible. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  if (name.length > 256) return undefined;
  // A directory's trailing '/' belongs to the name part.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/' || i === name.length - 1) continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
  }
  return undefined;
}

interface HeaderFields {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
}

function ustarHeader(f: HeaderFields): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(f.name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, f.mode);
  writeOctal(h, 108, 8, f.uid);
  writeOctal(h, 116, 8, f.gid);
  writeOctal(h, 124, 12, f.size);
  writeOctal(h, 136, 12, f.mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h.write(f.typeflag, 156, 1, 'ascii');
  h.write(f.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(f.uname, 265, 32, 'utf8');
  h.write(f.gname, 297, 32, 'utf8');
  writeOctal(h, 329, 8, 0);
  writeOctal(h, 337, 8, 0);
  h.write(f.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return rem === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rem);
}

/** The header block(s) for one entry: a pax extended header first when ustar cannot represent it. */
function entryHeaders(entry: TarEntry): Buffer[] {
  const isDir = entry.type === 'directory';
  const name = normalizeTarName(entry.name, isDir);
  let size = 0;
  let linkname = '';
  switch (entry.type) {
    case 'file':
      size = entry.data.length;
      break;
    case 'directory':
      break;
    case 'symlink':
      if (entry.target === '') throw new Error(`symlink ${JSON.stringify(entry.name)} has an empty target`);
      linkname = entry.target;
      break;
    case 'hardlink':
      linkname = normalizeTarName(entry.target, false);
      break;
    default:
      assertNever(entry);
  }
  const mode = entry.mode ?? (isDir ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644);
  if (!fitsOctal(mode, 8) || mode > 0o7777) throw new Error(`tar entry ${JSON.stringify(name)}: invalid mode ${mode}`);
  const uid = entry.uid ?? 0;
  const gid = entry.gid ?? 0;
  const mtime = entry.mtime ?? 0;
  const uname = entry.uname ?? (uid === 0 ? 'root' : '');
  const gname = entry.gname ?? (gid === 0 ? 'root' : '');
  for (const [k, v] of [['uid', uid], ['gid', gid], ['mtime', mtime]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`tar entry ${JSON.stringify(name)}: invalid ${k} ${v}`);
  }

  const pax: Buffer[] = [];
  const split = splitUstarName(name);
  if (!split) pax.push(paxRecord('path', name));
  const linkFits = isAscii(linkname) && linkname.length <= 100;
  if (!linkFits) pax.push(paxRecord('linkpath', linkname));
  if (!fitsOctal(uid, 8)) pax.push(paxRecord('uid', String(uid)));
  if (!fitsOctal(gid, 8)) pax.push(paxRecord('gid', String(gid)));
  if (!fitsOctal(size, 12)) pax.push(paxRecord('size', String(size)));
  if (!fitsOctal(mtime, 12)) pax.push(paxRecord('mtime', String(mtime)));
  const unameFits = isAscii(uname) && uname.length <= 32;
  const gnameFits = isAscii(gname) && gname.length <= 32;
  if (!unameFits) pax.push(paxRecord('uname', uname));
  if (!gnameFits) pax.push(paxRecord('gname', gname));

  // Without a pax header the name must fit; with one, the ustar fields carry a truncated ASCII fallback.
  const fallbackName = split ?? { prefix: '', name: asciiFallback(name, 100) };
  const header = ustarHeader({
    name: fallbackName.name,
    prefix: fallbackName.prefix,
    mode,
    uid: fitsOctal(uid, 8) ? uid : 0,
    gid: fitsOctal(gid, 8) ? gid : 0,
    size: fitsOctal(size, 12) ? size : 0,
    mtime: fitsOctal(mtime, 12) ? mtime : 0,
    typeflag: TYPEFLAG[entry.type],
    linkname: linkFits ? linkname : asciiFallback(linkname, 100),
    uname: unameFits ? uname : '',
    gname: gnameFits ? gname : '',
  });
  if (pax.length === 0) return [header];

  const paxData = Buffer.concat(pax);
  const base = name.replace(/\/$/, '').split('/').pop() ?? 'entry';
  const paxHeader = ustarHeader({
    name: asciiFallback(`PaxHeaders.0/${base}`, 100),
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: paxData.length,
    mtime: fitsOctal(mtime, 12) ? mtime : 0,
    typeflag: 'x',
    linkname: '',
    uname: '',
    gname: '',
  });
  return [paxHeader, paxData, padding(paxData.length), header];
}

function asciiFallback(s: string, max: number): string {
  return s.replace(/[^\x01-\x7f]/g, '_').slice(0, max);
}

/** Encodes entries as tar blocks, one chunk at a time (headers, data, padding, then the two end blocks). */
export function* encodeTar(entries: Iterable<TarEntry>): Generator<Buffer> {
  for (const entry of entries) {
    yield* entryHeaders(entry);
    if (entry.type === 'file' && entry.data.length > 0) {
      yield entry.data;
      const pad = padding(entry.data.length);
      if (pad.length > 0) yield pad;
    }
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** The whole archive in one Buffer. */
export function tarToBuffer(entries: Iterable<TarEntry>): Buffer {
  return Buffer.concat([...encodeTar(entries)]);
}

/** The archive as a readable stream (entries are encoded as the stream is read). */
export function tarToStream(entries: Iterable<TarEntry>): Readable {
  return Readable.from(encodeTar(entries), { objectMode: false });
}
