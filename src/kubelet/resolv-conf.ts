// The node's resolver configuration as upstream's kubelet reads it (pkg/kubelet/network/dns/dns.go parseResolvConf,
// getHostDNSConfig, CheckLimitsForResolvConf): nameserver lines accumulate, the last search line and the last options
// line win, search domains lose a trailing dot, comments start with '#', and the file may hold at most 10 MiB.
import { open } from 'node:fs/promises';
import { goFileError } from './go-file-error.js';
import { dns1123SubdomainMaxLength } from '../api/validation/names.js';

/** maxResolveConfLength: a larger file is refused. */
export const maxResolvConfBytes = 10 * (1 << 20);
/** validation.MaxDNSNameservers */
export const maxDnsNameservers = 3;
/** validation.MaxDNSSearchPaths (ExpandedDNSConfig, always on since v1.28). */
export const maxDnsSearchPaths = 32;
/** validation.MaxDNSSearchListChars (ExpandedDNSConfig). */
export const maxDnsSearchListChars = 2048;
/** utilvalidation.DNS1123SubdomainMaxLength: a longer search path is dropped (glibc aborts on one). */
export const maxDnsSearchPathLength = dns1123SubdomainMaxLength;

/** What a resolv.conf says: its nameservers, search domains and options, in the CRI's DNSConfig shape. */
export interface ResolvConf {
  servers: string[];
  searches: string[];
  options: string[];
}

/** A resolv.conf that can't be read or makes no sense; the message is upstream's. */
export class ResolvConfError extends Error {}

/** parseResolvConf. Throws ResolvConfError("nameserver list is empty ") for a `nameserver` line without an address. */
export function parseResolvConf(text: string): ResolvConf {
  const servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  let emptyNameserver = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter((f) => f !== '');
    const [key, ...rest] = fields;
    if (key === 'nameserver') {
      if (rest[0] !== undefined) servers.push(rest[0]);
      else emptyNameserver = true;
    } else if (key === 'search') {
      searches = rest.map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    } else if (key === 'options') {
      options = rest;
    }
  }
  // utilerrors.NewAggregate of identical errors prints the message once.
  if (emptyNameserver) throw new ResolvConfError('nameserver list is empty ');
  return { servers, searches, options };
}

/** Reads and parses the file (getHostDNSConfig); a file error reads as Go's (`open PATH: no such file or directory`). */
export async function readResolvConf(path: string): Promise<ResolvConf> {
  let text: string;
  try {
    const f = await open(path, 'r');
    try {
      // ReadAtMost: a file larger than the limit is refused (by its size, and by the bytes read should it grow).
      if ((await f.stat()).size > maxResolvConfBytes) throw new ResolvConfError('the read limit is reached');
      const buf = await f.readFile();
      if (buf.length > maxResolvConfBytes) throw new ResolvConfError('the read limit is reached');
      text = buf.toString('utf8');
    } catch (e: unknown) {
      if (e instanceof ResolvConfError) throw e;
      throw new ResolvConfError(goFileError('read', path, e));
    } finally {
      await f.close();
    }
  } catch (e: unknown) {
    if (e instanceof ResolvConfError) throw e;
    throw new ResolvConfError(goFileError('open', path, e));
  }
  return parseResolvConf(text);
}

/**
 * CheckLimitsForResolvConf's verdict on the node's search line: the warning (reason CheckLimitsForResolvConf, on the
 * node) when pods would not get all of it, else undefined. With a cluster domain, three search paths are the cluster's.
 */
export function resolvConfLimitsWarning(path: string, searches: readonly string[], clusterDomain: string): string | undefined {
  let domainCountLimit = maxDnsSearchPaths;
  if (clusterDomain !== '') domainCountLimit -= 3;
  if (searches.length > domainCountLimit) {
    return `Resolv.conf file '${path}' contains search line consisting of more than ${domainCountLimit} domains!`;
  }
  if (searches.some((s) => Buffer.byteLength(s) > maxDnsSearchPathLength)) {
    return `Resolv.conf file ${JSON.stringify(path)} contains a search path which length is more than allowed ${maxDnsSearchPathLength} chars!`;
  }
  if (Buffer.byteLength(searches.join(' ')) > maxDnsSearchListChars) {
    return `Resolv.conf file '${path}' contains search line which length is more than allowed ${maxDnsSearchListChars} chars!`;
  }
  return undefined;
}
