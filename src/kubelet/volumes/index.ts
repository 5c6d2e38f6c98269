// The kubelet's volumes: the public surface of this folder.
export { VolumeManager, translateMountPropagation, pluginDirs, type PodVolume, type VolumeManagerOptions } from './volume-manager.js';
export { VolumeMountError, failedMountMessages, type VolumeFailure, type VolumeFailureStage } from './volume-mount-error.js';
export { restVolumeObjectLookup, StaticVolumeObjectLookup, type VolumeObjectLookup } from './volume-object-lookup.js';
export { AtomicWriter, type FileProjection } from './atomic-writer.js';
export type { ResourceList } from './downward-api.js';
