// Where the volume manager reads the API objects its volumes are made of. The manager takes this interface so that
// tests need no server; restVolumeObjectLookup reads them from the API server.
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';

/** Each method resolves undefined when the object does not exist and throws on any other failure. */
export interface VolumeObjectLookup {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
}

export function restVolumeObjectLookup(client: RestClient): VolumeObjectLookup {
  const get = async <T>(path: string): Promise<T | undefined> => {
    try {
      return await client.request<T>('GET', path);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  };
  const ns = (namespace: string, resource: string, name: string): string =>
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(name)}`;
  return {
    configMap: (namespace, name) => get<ConfigMap>(ns(namespace, 'configmaps', name)),
    secret: (namespace, name) => get<Secret>(ns(namespace, 'secrets', name)),
    persistentVolumeClaim: (namespace, name) => get<PersistentVolumeClaim>(ns(namespace, 'persistentvolumeclaims', name)),
    persistentVolume: (name) => get<PersistentVolume>(`/api/v1/persistentvolumes/${encodeURIComponent(name)}`),
  };
}

/** An in-memory lookup (tests, and callers that hold the objects already). Keys are `namespace/name`, PVs by name. */
export class StaticVolumeObjectLookup implements VolumeObjectLookup {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  readonly claims = new Map<string, PersistentVolumeClaim>();
  readonly volumes = new Map<string, PersistentVolume>();
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return Promise.resolve(this.configMaps.get(`${namespace}/${name}`));
  }
  secret(namespace: string, name: string): Promise<Secret | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    return Promise.resolve(this.claims.get(`${namespace}/${name}`));
  }
  persistentVolume(name: string): Promise<PersistentVolume | undefined> {
    return Promise.resolve(this.volumes.get(name));
  }
}
