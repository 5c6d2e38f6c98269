// The kubelet's DNS configurer (upstream's dns.Configurer): reads --resolv-conf for every sandbox config it forms,
// records the warnings that forming raises on the pod or the node, and checks the node's search line against the
// limits once when the kubelet starts (CheckLimitsForResolvConf).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from '../cri/index.js';
import { podDnsConfig, type ClusterDnsSettings } from './pod-dns-config.js';
import { readResolvConf, resolvConfLimitsWarning, ResolvConfError, type ResolvConf } from './resolv-conf.js';

/** Records a Warning event about the pod (or, without one, about the node). */
export type DnsEventRecorder = (pod: Pod | undefined, reason: string, message: string) => void;

export class DnsConfigurer {
  constructor(
    readonly settings: ClusterDnsSettings,
    private readonly record: DnsEventRecorder,
  ) {}

  /** getHostDNSConfig: nothing without a resolv.conf. Throws ResolvConfError (upstream's words) when it can't be read. */
  private async hostDns(): Promise<ResolvConf> {
    if (this.settings.resolvConf === '') return { servers: [], searches: [], options: [] };
    return readResolvConf(this.settings.resolvConf);
  }

  /** GetPodDNS. Throws ResolvConfError when the node's resolv.conf can't be read: the sandbox can't be configured. */
  async podDns(pod: Pod): Promise<DNSConfig> {
    const { config, events } = podDnsConfig(pod, await this.hostDns(), this.settings);
    for (const e of events) this.record(e.on === 'pod' ? pod : undefined, e.reason, e.message);
    return config;
  }

  /** CheckLimitsForResolvConf: a warning on the node when its resolv.conf can't be read or pods won't get all of its search line. */
  async checkLimitsForResolvConf(): Promise<void> {
    if (this.settings.resolvConf === '') return;
    let host: ResolvConf;
    try {
      host = await readResolvConf(this.settings.resolvConf);
    } catch (e: unknown) {
      if (!(e instanceof ResolvConfError)) throw e;
      this.record(undefined, 'CheckLimitsForResolvConf', e.message);
      return;
    }
    const warning = resolvConfLimitsWarning(this.settings.resolvConf, host.searches, this.settings.clusterDomain);
    if (warning !== undefined) this.record(undefined, 'CheckLimitsForResolvConf', warning);
  }
}
