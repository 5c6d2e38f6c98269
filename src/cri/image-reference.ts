/**
 * Docker reference normalization as containerd's CRI plugin does it (distribution/reference's
 * ParseNormalizedNamed + TagNameOnly): `busybox` -> `docker.io/library/busybox:latest`,
 * `nginx:1.7.12` -> `docker.io/library/nginx:1.7.12`, `kuar-demo/kuard` -> `docker.io/kuar-demo/kuard:latest`.
 * A first component with a '.' or ':' or equal to `localhost` is a registry host.
 */
export function normalizeImageRef(ref: string): string {
  const at = ref.indexOf('@');
  const namePart = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const slash = namePart.indexOf('/');
  const first = slash >= 0 ? namePart.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = namePart;
  if (!hasHost) name = slash >= 0 ? `docker.io/${namePart}` : `docker.io/library/${namePart}`;
  const lastSlash = name.lastIndexOf('/');
  const hasTag = name.slice(lastSlash + 1).includes(':');
  if (!hasTag && digest === '') name = `${name}:latest`;
  return name + digest;
}

/** The repository of a normalized reference: `docker.io/library/busybox:latest` -> `docker.io/library/busybox`. */
export function imageRepository(normalizedRef: string): string {
  const at = normalizedRef.indexOf('@');
  const name = at >= 0 ? normalizedRef.slice(0, at) : normalizedRef;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return colon >= 0 ? name.slice(0, colon) : name;
}
