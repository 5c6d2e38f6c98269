// One DNS exchange: a query in, the reply out. Names of the cluster domain (and PTR names of cluster addresses) are
// answered from the ClusterZone, anything else is relayed to the upstream resolvers; a malformed query gets FORMERR
// and a failure inside becomes SERVFAIL, never a crash.
import type { Answer } from 'dns-packet';
import type { ClusterZone, ZoneAnswer } from './cluster-zone.js';
import { Rcode, badVersionReply, checkQuery, encodeReply, headerReply, truncateResponse, udpLimit } from './dns-message.js';
import type { UpstreamForwarder } from './upstream-forwarder.js';

export type DnsTransport = 'udp' | 'tcp';
/** The reply to a query from `source` (the client's address), or undefined when it is to be dropped. */
export type DnsHandler = (query: Buffer, transport: DnsTransport, source?: string) => Promise<Buffer | undefined>;

/** The most a TCP message can carry. */
const tcpLimit = 65535;

export interface DnsHandlerOptions {
  zone: ClusterZone;
  forwarder: UpstreamForwarder;
  /** Called with every failure turned into SERVFAIL (for the log). */
  onError?: (e: unknown) => void;
  /**
   * Whether names outside the cluster are looked up for this client (default: for everyone). The server listens on a
   * node address: without this, anyone who reaches it could use it as an open resolver. Others get REFUSED for
   * those names, as a resolver refuses recursion; the cluster's own names are answered to everyone.
   */
  mayRecurse?: (source: string) => boolean;
}

export function createDnsHandler(opts: DnsHandlerOptions): DnsHandler {
  const { zone, forwarder } = opts;

  const withChase = async (result: ZoneAnswer, recurse: boolean): Promise<ZoneAnswer> => {
    if (result.chase === undefined) return result;
    // Without recursion the CNAME out of the zone is the answer, as an authoritative server gives it.
    if (!recurse) return { rcode: result.rcode, answers: result.answers, authorities: result.authorities, additionals: result.additionals };
    const upstream = await forwarder.lookup(result.chase.name, result.chase.type);
    if (upstream === undefined) return result.chase.unresolved;
    const answers: Answer[] = [...result.answers, ...(upstream.answers ?? [])];
    return { ...result, answers };
  };

  return async (query, transport, source = '') => {
    const checked = checkQuery(query);
    if (checked.kind === 'drop') return undefined;
    if (checked.kind === 'reject') return checked.reply;
    try {
      if (checked.opt !== undefined && checked.opt.ednsVersion !== 0) return badVersionReply(checked);
      const limit = transport === 'udp' ? udpLimit(checked.opt) : tcpLimit;
      const q = checked.question;
      const klass = q.class ?? 'IN';
      const local = klass === 'IN' || klass === 'ANY' ? zone.resolve(q.name, q.type) : undefined;
      const recurse = opts.mayRecurse === undefined || opts.mayRecurse(source);
      if (local !== undefined) {
        const result = await withChase(local, recurse);
        return encodeReply(checked, { rcode: Rcode[result.rcode], authoritative: true, answers: result.answers, authorities: result.authorities, additionals: result.additionals }, limit);
      }
      if (!recurse) return encodeReply(checked, { rcode: Rcode.REFUSED, authoritative: false }, limit);
      const relayed = await forwarder.forward(query);
      if (relayed === undefined) return encodeReply(checked, { rcode: Rcode.SERVFAIL, authoritative: false }, limit);
      return truncateResponse(relayed, limit);
    } catch (e: unknown) {
      opts.onError?.(e);
      return headerReply(query, Rcode.SERVFAIL);
    }
  };
}
