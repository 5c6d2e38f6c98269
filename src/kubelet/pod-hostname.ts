// A pod's host name and domain (upstream's kubelet_pods.go GeneratePodHostNameAndDomain and
// truncatePodHostnameIfNeeded, pkg/kubelet/util GetNodenameForKernel): spec.hostname or the pod's name, cut to 63
// characters; with spec.subdomain the domain SUBDOMAIN.NAMESPACE.svc.CLUSTERDOMAIN; with setHostnameAsFQDN the
// kernel's host name is HOSTNAME.DOMAIN, which must fit the 64 characters of utsname.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isDNS1123Label } from '../api/validation/names.js';

/** A host name that can't be formed; the message is upstream's. */
export class PodHostnameError extends Error {}

const hostnameMaxLength = 63;
const fqdnMaxLength = 64;

/** truncatePodHostnameIfNeeded: at most 63 characters, without a trailing '-' or '.'. */
export function truncatePodHostname(podName: string, hostname: string): string {
  if (hostname.length <= hostnameMaxLength) return hostname;
  const truncated = hostname.slice(0, hostnameMaxLength).replace(/[-.]+$/, '');
  if (truncated === '') throw new PodHostnameError(`hostname for pod ${JSON.stringify(podName)} was invalid: ${JSON.stringify(hostname)}`);
  return truncated;
}

/** GeneratePodHostNameAndDomain: the short host name, and the domain ('' without spec.subdomain). */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  const podName = pod.metadata?.name ?? '';
  let hostname = podName;
  const specHostname = pod.spec?.hostname ?? '';
  if (specHostname !== '') {
    const msgs = isDNS1123Label(specHostname);
    if (msgs.length > 0) throw new PodHostnameError(`pod Hostname ${JSON.stringify(specHostname)} is not a valid DNS label: ${msgs.join(';')}`);
    hostname = specHostname;
  }
  hostname = truncatePodHostname(podName, hostname);
  let domain = '';
  const subdomain = pod.spec?.subdomain ?? '';
  if (subdomain !== '') {
    const msgs = isDNS1123Label(subdomain);
    if (msgs.length > 0) throw new PodHostnameError(`pod Subdomain ${JSON.stringify(subdomain)} is not a valid DNS label: ${msgs.join(';')}`);
    domain = `${subdomain}.${pod.metadata?.namespace ?? ''}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

/** GetNodenameForKernel: the host name the sandbox gets (the FQDN under setHostnameAsFQDN with a domain). */
export function nodenameForKernel(hostname: string, domain: string, setHostnameAsFQDN: boolean | undefined): string {
  if (domain === '' || setHostnameAsFQDN !== true) return hostname;
  const fqdn = `${hostname}.${domain}`;
  if (fqdn.length > fqdnMaxLength) {
    throw new PodHostnameError(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (${fqdnMaxLength} characters is the max, ${fqdn.length} characters requested)`);
  }
  return fqdn;
}
