// Joining agents (k3s's supervisor endpoints, in k8ts's shape). Two paths outside the Kubernetes API, served before
// authentication:
// - GET /cacerts: the cluster CA bundle, for an agent to compare with the hash its token carries before it trusts
//   this server (as k3s's /cacerts);
// - POST /v1-k8ts/node-join: an agent that knows the join token's password (Basic auth, any user name, as k3s's
//   `node:PASSWORD`) gets its node's credentials, signed by the cluster CA: a client certificate for
//   system:node:NAME in system:nodes, the kubelet's serving certificate for its addresses and names, and the cluster
//   settings an agent must share with the server (pod and service networks, cluster DNS, overlay backend).
// A node that joins again under the same name, after a wipe, gets new credentials: only the token decides.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { isDNS1123Subdomain } from '../machinery/label-selector.js';
import { cidrContains, parseIpv4, parseIpv4Cidr } from '../controllers/nodeipam/cidr-set.js';
import type { KeyPairPem } from '../pki/pki.js';
import { ApiError } from '../machinery/errors.js';
import { readBody, send, sendRaw, type Req, type Res } from './http.js';

/** What an agent must agree on with the server. */
export interface ClusterSettings {
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  readonly clusterDns: string;
  readonly clusterDomain: string;
  readonly flannelBackend: string;
}

export interface NodeJoinRequest {
  readonly nodeName: string;
  /** The node's addresses, for the kubelet's serving certificate. */
  readonly addresses: readonly string[];
  /** Extra DNS names for that certificate (the host name). */
  readonly dnsNames?: readonly string[];
}

export interface NodeJoinResponse {
  readonly caCert: string;
  readonly client: KeyPairPem;
  readonly serving: KeyPairPem;
  readonly settings: ClusterSettings;
}

export interface NodeJoinOptions {
  readonly ca: KeyPairPem;
  /** The join token's password (read each time: `k8ts token rotate` may change it). */
  readonly password: () => string;
  readonly settings: ClusterSettings;
}

export const joinPath = '/v1-k8ts/node-join';

/** A bootstrap token's Secret (kube-system/bootstrap-token-ID), as far as joining needs it. */
export type BootstrapTokenLookup = (id: string) => Promise<{ type?: string; metadata?: { deletionTimestamp?: string }; data?: Record<string, string> } | undefined>;

const bootstrapTokenRe = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/**
 * Whether a bootstrap token (ID.SECRET, as kubeadm's and `k8ts token create`'s) is valid for joining: its Secret
 * exists, holds that secret, allows authentication and has not expired (upstream's bootstrap authenticator rules).
 */
export async function bootstrapTokenValid(token: string, lookup: BootstrapTokenLookup, now = Date.now()): Promise<boolean> {
  const m = bootstrapTokenRe.exec(token);
  if (m === null) return false;
  const secret = await lookup(m[1] ?? '');
  // Upstream's bootstrap authenticator: only a Secret of the bootstrap type that is not being deleted counts.
  if (secret === undefined || secret.type !== 'bootstrap.kubernetes.io/token' || secret.metadata?.deletionTimestamp !== undefined) return false;
  const data = secret.data ?? {};
  const field = (k: string): string => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
  if (field('token-id') !== m[1] || !samePassword(field('token-secret'), m[2] ?? '')) return false;
  if (field('usage-bootstrap-authentication') !== 'true') return false;
  const exp = field('expiration');
  if (exp !== '' && !(Date.parse(exp) > now)) return false;
  return true;
}

/** The password of a Basic Authorization header, or undefined. */
export function basicPassword(header: string | undefined): string | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function samePassword(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return want !== '' && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Validates the body of a join request; the ApiError says which field is wrong. A node's serving certificate is
 * signed by the cluster CA, so it may not name what the API server is known by: the `kubernetes` service names, or an
 * address in the service range (the `kubernetes` service's cluster IP).
 */
export function parseJoinRequest(body: unknown, serviceCidr?: string): NodeJoinRequest {
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  if (obj === undefined) throw ApiError.badRequest('the join request must be a JSON object');
  const name = obj['nodeName'];
  if (typeof name !== 'string' || name === '') throw ApiError.badRequest('nodeName: Required value');
  const nameErrs = isDNS1123Subdomain(name);
  if (nameErrs.length > 0) throw ApiError.badRequest(`nodeName: Invalid value: ${JSON.stringify(name)}: ${nameErrs.join('; ')}`);
  const addrs = obj['addresses'];
  if (!Array.isArray(addrs) || addrs.length === 0 || !addrs.every((a): a is string => typeof a === 'string' && isIP(a) !== 0)) {
    throw ApiError.badRequest('addresses: Invalid value: a list of the node\'s IP addresses is required');
  }
  if (serviceCidr !== undefined) {
    const range = parseIpv4Cidr(serviceCidr);
    const inRange = addrs.find((a) => {
      const n = parseIpv4(a);
      return n !== undefined && cidrContains(range, n);
    });
    if (inRange !== undefined) throw ApiError.badRequest(`addresses: Invalid value: ${JSON.stringify(inRange)}: a node address may not lie in the service range ${serviceCidr}`);
  }
  const dns = obj['dnsNames'] ?? [];
  if (!Array.isArray(dns) || !dns.every((d): d is string => typeof d === 'string' && isDNS1123Subdomain(d).length === 0)) {
    throw ApiError.badRequest('dnsNames: Invalid value: DNS subdomain names are required');
  }
  const reserved = [name, ...dns].find((d) => d === 'kubernetes' || d.startsWith('kubernetes.'));
  if (reserved !== undefined) throw ApiError.badRequest(`nodeName: Invalid value: ${JSON.stringify(reserved)}: the names of the kubernetes service are the API server's`);
  return { nodeName: name, addresses: addrs, dnsNames: dns };
}

/** Issues a joining node's credentials. */
export async function issueNodeCredentials(opts: NodeJoinOptions, r: NodeJoinRequest): Promise<NodeJoinResponse> {
  const { issueCertificate } = await import('../pki/pki.js');
  const subject = { commonName: `system:node:${r.nodeName}`, organizations: ['system:nodes'] };
  const [client, serving] = await Promise.all([
    issueCertificate(opts.ca, { ...subject, client: true }),
    issueCertificate(opts.ca, {
      ...subject,
      server: true,
      dnsNames: [...new Set([r.nodeName, ...(r.dnsNames ?? []), 'localhost'])],
      ipAddresses: [...new Set([...r.addresses, '127.0.0.1'])],
    }),
  ]);
  return { caCert: opts.ca.certPem, client, serving, settings: opts.settings };
}

/**
 * Serves /cacerts and the join endpoint; false for every other path (the caller goes on). Errors are Kubernetes
 * Status objects, as the rest of the server's.
 */
export async function handleNodeJoin(opts: NodeJoinOptions, req: Req, res: Res, path: string, bootstrapTokens?: BootstrapTokenLookup): Promise<boolean> {
  if (path === '/cacerts') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    sendRaw(res, 200, 'text/plain; charset=utf-8', opts.ca.certPem);
    return true;
  }
  if (path !== joinPath) return false;
  if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const password = basicPassword(req.headers.authorization);
  const valid = password !== undefined && (samePassword(password, opts.password()) || (bootstrapTokens !== undefined && (await bootstrapTokenValid(password, bootstrapTokens))));
  if (!valid) {
    // Read (and drop) the body first, so the connection stays usable for the client's next try.
    await readBody(req, 64 * 1024).catch(() => Buffer.alloc(0));
    throw ApiError.unauthorized('the join token is not valid on this server');
  }
  const raw = await readBody(req, 64 * 1024);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e: unknown) {
    throw ApiError.badRequest(`the join request is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  send(res, 200, await issueNodeCredentials(opts, parseJoinRequest(body, opts.settings.serviceCidr)));
  return true;
}
