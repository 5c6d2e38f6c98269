// A DnsHandler that answers from a fixed table (name and type to records): NXDOMAIN for names not in it, NODATA for
// other types of names in it, UDP answers truncated to the client's size. Tests and the benchmark stand it up as the
// upstream resolver on loopback.
import type { Answer } from 'dns-packet';
import { Rcode, checkQuery, encodeReply, udpLimit } from './dns-message.js';
import type { DnsHandler } from './dns-handler.js';

export function createStaticHandler(records: readonly Answer[], opts: { onQuery?: (name: string, type: string) => void } = {}): DnsHandler {
  const byName = new Map<string, Answer[]>();
  for (const r of records) {
    const k = r.name.toLowerCase().replace(/\.$/, '');
    byName.set(k, [...(byName.get(k) ?? []), r]);
  }
  return (query, transport) => {
    const checked = checkQuery(query);
    if (checked.kind === 'drop') return Promise.resolve(undefined);
    if (checked.kind === 'reject') return Promise.resolve(checked.reply);
    const q = checked.question;
    opts.onQuery?.(q.name, q.type);
    const limit = transport === 'udp' ? udpLimit(checked.opt) : 65535;
    const known = byName.get(q.name.toLowerCase().replace(/\.$/, ''));
    if (known === undefined) return Promise.resolve(encodeReply(checked, { rcode: Rcode.NXDOMAIN, authoritative: true }, limit));
    const answers = known.filter((a) => a.type === q.type || a.type === 'CNAME').map((a) => ({ ...a, name: q.name }) as Answer);
    return Promise.resolve(encodeReply(checked, { rcode: Rcode.NOERROR, authoritative: true, answers }, limit));
  };
}
