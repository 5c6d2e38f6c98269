// Forwards questions outside the cluster domain to the upstream resolvers, as CoreDNS's forward plugin: over UDP,
// again over TCP when the UDP answer comes back truncated; the next server when one fails or times out. Answers are
// relayed as they come (their rcode included), under the client's id.
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { tcpExchange, udpExchange } from './dns-exchange.js';
import { withId } from './dns-message.js';
import type { UpstreamServer } from './upstream-servers.js';

export interface UpstreamForwarderOptions {
  servers: readonly UpstreamServer[];
  /** How long one server gets for one exchange (default 2 s). */
  timeoutMs?: number;
}

const headerSize = 12;

export class UpstreamForwarder {
  readonly servers: readonly UpstreamServer[];
  private readonly timeoutMs: number;
  private next = 0;

  constructor(opts: UpstreamForwarderOptions) {
    this.servers = opts.servers;
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  /**
   * The upstream answer to a query (raw, with the query's id), or undefined when no server answered. The servers
   * are tried in turn, starting with the one after the last used (spreading the load as CoreDNS's random policy).
   */
  async forward(query: Buffer): Promise<Buffer | undefined> {
    if (this.servers.length === 0 || query.length < headerSize) return undefined;
    const start = this.next;
    this.next = (this.next + 1) % this.servers.length;
    for (let i = 0; i < this.servers.length; i++) {
      const server = this.servers[(start + i) % this.servers.length];
      if (server === undefined) continue;
      const answer = await this.exchange(server, query);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }

  /** Looks a name up upstream (an ExternalName's target): the decoded answer, or undefined. */
  async lookup(name: string, type: RecordType): Promise<DecodedPacket | undefined> {
    const query = dnsPacket.encode({ type: 'query', id: randomInt(0, 0x10000), flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    const answer = await this.forward(query);
    if (answer === undefined) return undefined;
    try {
      return dnsPacket.decode(answer);
    } catch (e: unknown) {
      void e;
      return undefined;
    }
  }

  private async exchange(server: UpstreamServer, query: Buffer): Promise<Buffer | undefined> {
    const id = query.readUInt16BE(0);
    // A fresh id upstream (and a fresh source port), so that a stray or spoofed answer does not match.
    const upstreamId = randomInt(0, 0x10000);
    const upstreamQuery = withId(query, upstreamId);
    const udp = await udpExchange(server, upstreamQuery, this.timeoutMs);
    if (udp === undefined) return undefined;
    if ((udp.readUInt16BE(2) & 0x0200) === 0) return withId(udp, id);
    // Truncated: again over TCP, as a truncated answer asks; the truncated answer when TCP fails.
    const tcp = await tcpExchange(server, upstreamQuery, this.timeoutMs);
    return withId(tcp ?? udp, id);
  }
}
