// Why a pod's volumes could not all be set up, as the kubelet reports it: one Warning FailedMount event per message.

export type VolumeFailureStage = 'process' | 'newMounter' | 'setUp';

/** One volume that failed: its name in the pod, the name upstream's messages use (the PV's for a claim), the error. */
export interface VolumeFailure {
  volume: string;
  specName: string;
  stage: VolumeFailureStage;
  error: string;
}

const goList = (names: readonly string[]): string => `[${[...names].sort().join(' ')}]`;

/** The FailedMount event messages for a set of failures, as upstream's operation generator and volume manager word them. */
export function failedMountMessages(failures: readonly VolumeFailure[]): string[] {
  const out: string[] = [];
  for (const f of failures) {
    if (f.stage === 'setUp') out.push(`MountVolume.SetUp failed for volume ${JSON.stringify(f.specName)} : ${f.error}`);
    else if (f.stage === 'newMounter') out.push(`MountVolume.NewMounter initialization failed for volume ${JSON.stringify(f.specName)} : ${f.error}`);
  }
  const processing = failures.filter((f) => f.stage === 'process');
  if (processing.length > 0) {
    out.push(
      `Unable to attach or mount volumes: unmounted volumes=${goList(failures.map((f) => f.volume))}, unattached volumes=[], ` +
        `failed to process volumes=${goList(processing.map((f) => f.volume))}: ${processing.map((f) => f.error).join('; ')}`,
    );
  }
  return out;
}

/** Thrown by VolumeManager.setUp and resync: the pod must not start (setUp) or its volumes are stale (resync). */
export class VolumeMountError extends Error {
  /** The event reason of every message. */
  readonly reason = 'FailedMount';
  /** The messages of the Warning FailedMount events to record, in order. */
  readonly messages: string[];
  constructor(readonly failures: readonly VolumeFailure[]) {
    const messages = failedMountMessages(failures);
    super(messages.join('; '));
    this.name = 'VolumeMountError';
    this.messages = messages;
  }
}
