// The start and stop every informer-driven controller shares (upstream's WaitForNamedCacheSync, then Run): start the
// informers, run the workers once every cache has synced (unless stopped first), and stop it all together.
import type { Informer } from '../../client/informer.js';
import type { Controller } from './controller.js';

export interface RunningController {
  stop(): void;
  /** Resolves once every informer has synced (the workers run from then on). */
  waitForSync(): Promise<void>;
}

export function runWithInformers(controller: Controller, informers: readonly Informer[], recorder: { stop(): void }, onStop?: () => void): RunningController {
  for (const inf of informers) inf.start();
  const synced = Promise.all(informers.map((i) => i.waitForSync())).then(() => undefined);
  let stopped = false;
  void synced.then(() => {
    if (!stopped) controller.run();
  });
  return {
    stop: () => {
      stopped = true;
      onStop?.();
      for (const inf of informers) inf.stop();
      controller.stop();
      recorder.stop();
    },
    waitForSync: () => synced,
  };
}
