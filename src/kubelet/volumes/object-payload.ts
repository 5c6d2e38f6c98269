// MakePayload of the configMap and secret plugins: every key (data, then binaryData) as a file with the default mode,
// or only the listed items (key -> path, own mode); a missing key fails unless the volume is optional.
import type { ConfigMap, KeyToPath, Secret } from 'kubernetes-types/core/v1.js';
import type { FileProjection } from './atomic-writer.js';

/** The API's default of configMap, secret, downwardAPI and projected volumes' defaultMode: 0644. */
export const defaultVolumeMode = 0o644;

export function configMapPayload(items: readonly KeyToPath[] | undefined, configMap: ConfigMap, defaultMode: number, optional: boolean): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  const data = configMap.data ?? {};
  const binary = configMap.binaryData ?? {};
  if (items === undefined || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'utf8'), mode: defaultMode });
    for (const [k, v] of Object.entries(binary)) payload.set(k, { data: Buffer.from(v, 'base64'), mode: defaultMode });
    return payload;
  }
  for (const ktp of items) {
    let content: Buffer;
    const s = data[ktp.key];
    const b = binary[ktp.key];
    if (s !== undefined) content = Buffer.from(s, 'utf8');
    else if (b !== undefined) content = Buffer.from(b, 'base64');
    else if (optional) continue;
    else throw new Error(`configmap references non-existent config key: ${ktp.key}`);
    payload.set(ktp.path, { data: content, mode: ktp.mode ?? defaultMode });
  }
  return payload;
}

export function secretPayload(items: readonly KeyToPath[] | undefined, secret: Secret, defaultMode: number, optional: boolean): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  const data = secret.data ?? {};
  if (items === undefined || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'base64'), mode: defaultMode });
    return payload;
  }
  for (const ktp of items) {
    const v = data[ktp.key];
    if (v === undefined) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${ktp.key}`);
    }
    payload.set(ktp.path, { data: Buffer.from(v, 'base64'), mode: ktp.mode ?? defaultMode });
  }
  return payload;
}
