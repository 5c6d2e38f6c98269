// The ConfigMaps and Secrets the kubelet reads for volumes and env, from shared informers (upstream's watch-based
// manager) instead of a GET per pod sync: with 110 pods resynced every 10 s those GETs were most of an idle node's
// API traffic. A miss (an object newer than the cache, or before the first list) falls back to a GET.
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest-client.js';
import { restVolumeObjectLookup, type VolumeObjectLookup } from './volumes/index.js';

export interface CachedObjectLookup extends VolumeObjectLookup {
  /** Calls `fn` with the kind, namespace and name of every ConfigMap or Secret that is added or changes. */
  onChange(fn: (kind: 'ConfigMap' | 'Secret', namespace: string, name: string) => void): void;
  stop(): void;
}

export function cachedObjectLookup(client: RestClient): CachedObjectLookup {
  const rest = restVolumeObjectLookup(client);
  const configMaps = new Informer(client, '/api/v1/configmaps');
  const secrets = new Informer(client, '/api/v1/secrets');
  configMaps.start();
  secrets.start();
  const cached = <T>(informer: Informer, namespace: string, name: string, fallback: () => Promise<T | undefined>): Promise<T | undefined> => {
    const hit = informer.hasSynced() ? informer.get(`${namespace}/${name}`) : undefined;
    return hit !== undefined ? Promise.resolve(hit as T) : fallback();
  };
  return {
    configMap: (namespace, name) => cached<ConfigMap>(configMaps, namespace, name, () => rest.configMap(namespace, name)),
    secret: (namespace, name) => cached<Secret>(secrets, namespace, name, () => rest.secret(namespace, name)),
    persistentVolumeClaim: (namespace, name) => rest.persistentVolumeClaim(namespace, name),
    persistentVolume: (name) => rest.persistentVolume(name),
    onChange: (fn) => {
      for (const [kind, informer] of [['ConfigMap', configMaps], ['Secret', secrets]] as const) {
        const tell = (o: { metadata?: { namespace?: string; name?: string } }): void => fn(kind, o.metadata?.namespace ?? '', o.metadata?.name ?? '');
        informer.addHandlers({ add: tell, update: (_old, o) => tell(o) });
      }
    },
    stop: () => {
      configMaps.stop();
      secrets.stop();
    },
  };
}
