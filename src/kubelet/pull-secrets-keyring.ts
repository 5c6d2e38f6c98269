// The credentials of a pod's imagePullSecrets for an image, as upstream's credentialprovider keyring picks them
// (pkg/credentialprovider/keyring.go and secrets/secrets.go): each kubernetes.io/dockerconfigjson (`auths`) or
// kubernetes.io/dockercfg Secret is a keyring whose keys are `host[:port][/path]`; a key matches an image's repository
// when the ports are equal, the hosts have as many dot-separated parts and each part matches as a glob (`*.gcr.io`),
// and the key's path is a prefix of the repository's. Within a keyring more specific keys come first (reverse-sorted);
// the keyrings of the secrets follow one another in the pod's order. An image of Docker Hub also takes the
// credentials kept under index.docker.io.
import type { Secret } from 'kubernetes-types/core/v1.js';
import { imageRepository, normalizeImageRef } from '../cri/image-reference.js';

/** What the kubelet hands to CRI's PullImage for one try (upstream's AuthConfig from a docker config entry). */
export interface PullCredential {
  username: string;
  password: string;
  email?: string;
}

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

/** The credential of one docker config entry: `auth` (base64 of user:password) wins over username and password. */
export function decodeDockerConfigEntry(entry: unknown, key: string): PullCredential {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`docker config entry ${JSON.stringify(key)} is not an object`);
  const e = entry as Record<string, unknown>;
  const str = (field: string): string => {
    const v = e[field];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new Error(`docker config entry ${JSON.stringify(key)}: ${field} is not a string`);
    return v;
  };
  const cred: PullCredential = { username: str('username'), password: str('password') };
  const email = str('email');
  if (email !== '') cred.email = email;
  const auth = str('auth');
  if (auth === '') return cred;
  // Go's StdEncoding for padded text, RawStdEncoding for unpadded: both strict about the alphabet.
  const trimmed = auth.trim();
  const padded = trimmed.endsWith('=');
  if (!(padded ? /^[A-Za-z0-9+/]*={1,2}$/.test(auth) && auth.length % 4 === 0 : /^[A-Za-z0-9+/]*$/.test(auth) && auth.length % 4 !== 1)) {
    throw new Error(`docker config entry ${JSON.stringify(key)}: auth is not base64`);
  }
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new Error(`docker config entry ${JSON.stringify(key)}: auth must be formatted as base64(username:password)`);
  cred.username = decoded.slice(0, colon);
  cred.password = decoded.slice(colon + 1);
  return cred;
}

/** A schemeless `host[:port][/path]` split as Go's url.Parse does it. */
function splitSchemeless(s: string): { host: string; path: string } {
  const slash = s.indexOf('/');
  const rest = slash < 0 ? '' : s.slice(slash);
  const cut = rest.search(/[?#]/);
  return { host: slash < 0 ? s : s.slice(0, slash), path: cut < 0 ? rest : rest.slice(0, cut) };
}

/** SplitURL: the host's dot-separated parts and its port ('' without one). */
function splitHost(host: string): { parts: string[]; port: string } {
  let h = host;
  let port = '';
  const v6 = /^\[([^\]]*)\]:(\d*)$/.exec(host);
  if (v6 !== null) {
    h = v6[1] ?? '';
    port = v6[2] ?? '';
  } else {
    const colon = host.lastIndexOf(':');
    // net.SplitHostPort: exactly one colon outside brackets separates the port.
    if (colon >= 0 && host.indexOf(':') === colon && !host.includes('[')) {
      h = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
  }
  return { parts: h.split('.'), port };
}

/** Go's path/filepath.Match for one host part (no separators in it): `*`, `?`, `[a-z]`, `[^x]`, `\` escapes. Throws on a malformed pattern. */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new Error('syntax error in pattern');
      re += (pattern[i] ?? '').replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error('syntax error in pattern');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') throw new Error('syntax error in pattern');
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}

/** URLsMatchStr: whether a key (glob host, port, path prefix) matches an image repository. */
export function keyMatchesImage(key: string, image: string): boolean {
  const g = splitSchemeless(key);
  const t = splitSchemeless(image);
  const gh = splitHost(g.host);
  const th = splitHost(t.host);
  if (gh.port !== th.port) return false;
  if (gh.parts.length !== th.parts.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  try {
    return gh.parts.every((p, i) => globMatch(p, th.parts[i] ?? ''));
  } catch {
    return false;
  }
}

/** isDefaultRegistryMatch: whether the image is pulled from Docker Hub. */
export function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first === '') return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === 'index.docker.io') return true;
  return !/[.:]/.test(first);
}

/** One secret's keyring (BasicDockerKeyring). */
export class DockerKeyring {
  private readonly creds = new Map<string, PullCredential[]>();
  private index: string[] = [];

  /** Adds a docker config (`{ "host/path": { username, password, auth, email } }`); entries that do not parse as a URL are skipped. */
  add(config: Record<string, unknown>): void {
    for (const [loc, entry] of Object.entries(config)) {
      const cred = decodeDockerConfigEntry(entry, loc);
      const schemeless = loc.replace(/^https?:\/\//, '');
      const { host, path } = splitSchemeless(schemeless);
      if (/\s/.test(host)) continue;
      // The docker client treats /v1/ and /v2/ as the host itself.
      const effective = path.startsWith('/v2/') || path.startsWith('/v1/') ? path.slice(3) : path;
      const key = effective !== '' && effective !== '/' ? host + effective : host;
      const list = this.creds.get(key) ?? [];
      list.push(cred);
      this.creds.set(key, list);
      this.index.push(key);
    }
    // Unique, then reverse-sorted so that more specific paths come first (quay.io/coreos before quay.io).
    this.index = [...new Set(this.index)].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  }

  /** The credentials for an image repository (`registry/path`, no tag), most specific key first. */
  lookup(image: string): PullCredential[] {
    const out: PullCredential[] = [];
    for (const key of this.index) {
      if (keyMatchesImage(key, image)) out.push(...(this.creds.get(key) ?? []));
    }
    if (out.length > 0) return out;
    if (isDefaultRegistryMatch(image)) return [...(this.creds.get(DEFAULT_REGISTRY_HOST) ?? [])];
    return [];
  }
}

const decodeData = (secret: Secret, key: string): string | undefined => {
  const v = secret.data?.[key];
  if (v === undefined || v === '') return undefined;
  return Buffer.from(v, 'base64').toString('utf8');
};

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e: unknown) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: not a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * MakeDockerKeyring: one keyring per dockerconfigjson or dockercfg secret, in the pod's order; other secrets are
 * ignored. Throws when such a secret's data is not a docker config (the pull then fails, as upstream's).
 */
export function keyringsFromSecrets(secrets: readonly Secret[]): DockerKeyring[] {
  const out: DockerKeyring[] = [];
  for (const secret of secrets) {
    const name = `secret ${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
    const json = decodeData(secret, '.dockerconfigjson');
    const cfg = decodeData(secret, '.dockercfg');
    if (secret.type === 'kubernetes.io/dockerconfigjson' && json !== undefined) {
      const auths = parseJsonObject(json, `${name} .dockerconfigjson`)['auths'];
      const keyring = new DockerKeyring();
      if (auths !== undefined && auths !== null) {
        if (typeof auths !== 'object' || Array.isArray(auths)) throw new Error(`${name} .dockerconfigjson: auths is not an object`);
        keyring.add(auths as Record<string, unknown>);
      }
      out.push(keyring);
    } else if (secret.type === 'kubernetes.io/dockercfg' && cfg !== undefined) {
      const keyring = new DockerKeyring();
      keyring.add(parseJsonObject(cfg, `${name} .dockercfg`));
      out.push(keyring);
    }
  }
  return out;
}

/** The credentials to try, in order, for pulling `image` (a reference as the pod gives it) with these secrets. */
export function pullCredentials(secrets: readonly Secret[], image: string): PullCredential[] {
  const repo = imageRepository(normalizeImageRef(image));
  return keyringsFromSecrets(secrets).flatMap((k) => k.lookup(repo));
}
