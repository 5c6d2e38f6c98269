// Image garbage collection, as upstream's ImageGCManager (pkg/kubelet/images/image_gc_manager.go) and the kubelet's
// StartGarbageCollection: every 5 minutes the images on the node are detected (first seen, last seen in use by a
// container, running or not), and when the image filesystem is at or above the high threshold the unused images are
// removed, least recently used first, until usage is down to the low threshold. Images younger than the minimum age,
// pinned images and the sandbox image are never removed. Usage is upstream's: 100 - available/capacity of the
// filesystem that holds the runtime's images (CRI ImageFsInfo names it; statfs measures it, as the stats provider does).
import { statfs as nodeStatfs } from 'node:fs/promises';
import type { ImageService, RuntimeService } from '../cri/index.js';
import { normalizeImageRef } from '../cri/image-reference.js';
import { DEFAULT_PAUSE_REF } from '../images/builtin-images.js';

/** How often images are garbage collected (upstream's ImageGCPeriod). */
export const imageGCPeriodMs = 5 * 60_000;

export interface ImageGCPolicy {
  /** --image-gc-high-threshold: usage at or above this always triggers garbage collection. */
  highThresholdPercent: number;
  /** --image-gc-low-threshold: garbage collection frees down to this usage. */
  lowThresholdPercent: number;
  /** --minimum-image-gc-age: an image detected more recently than this is never removed. */
  minAgeMs: number;
}

export const defaultImageGCPolicy: Readonly<ImageGCPolicy> = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 2 * 60_000 };

/** NewImageGCManager's checks of the policy; throws with upstream's words. */
export function validateImageGCPolicy(p: ImageGCPolicy): void {
  if (p.highThresholdPercent < 0 || p.highThresholdPercent > 100) throw new Error(`invalid HighThresholdPercent ${p.highThresholdPercent}, must be in range [0-100]`);
  if (p.lowThresholdPercent < 0 || p.lowThresholdPercent > 100) throw new Error(`invalid LowThresholdPercent ${p.lowThresholdPercent}, must be in range [0-100]`);
  if (p.lowThresholdPercent > p.highThresholdPercent) {
    throw new Error(`LowThresholdPercent ${p.lowThresholdPercent} can not be higher than HighThresholdPercent ${p.highThresholdPercent}`);
  }
}

/** What is known of one image (upstream's imageRecord); times are ms since the epoch, 0 for never. */
export interface ImageRecord {
  firstDetected: number;
  lastUsed: number;
  size: number;
  /** Pinned by the runtime, or the sandbox image: never removed. */
  pinned: boolean;
}

/** An image as the planner sees it: its record, and whether a container uses it now. */
export interface ImageGCCandidate extends ImageRecord {
  id: string;
  inUse: boolean;
}

export interface ImageGCPlanInput {
  images: readonly ImageGCCandidate[];
  capacityBytes: number;
  availableBytes: number;
  policy: ImageGCPolicy;
  now: number;
}

export interface ImageToFree {
  id: string;
  size: number;
}

export type ImageGCPlan =
  | { kind: 'invalidCapacity' }
  | { kind: 'belowThreshold'; usagePercent: number }
  | {
      kind: 'free';
      usagePercent: number;
      /** Bytes to free to get down to the low threshold. */
      bytesToFree: number;
      /** Every image that may be removed, least recently used first (ties: first detected first). */
      evictionOrder: ImageToFree[];
      /** The head of evictionOrder that frees bytesToFree (all of it when that is not enough). */
      toRemove: ImageToFree[];
      /** What toRemove frees. */
      plannedBytes: number;
    };

/** imagesInEvictionOrder and freeSpace's eligibility: unused, unpinned, not used at or after now, at least minAge old. */
export function evictionOrder(images: readonly ImageGCCandidate[], now: number, minAgeMs: number): ImageToFree[] {
  return images
    .filter((i) => !i.inUse && !i.pinned && i.lastUsed < now && now - i.firstDetected >= minAgeMs)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((i) => ({ id: i.id, size: i.size }));
}

/** GarbageCollect's decision: whether usage is at or above the high threshold, and which images to remove to reach the low one. */
export function planImageGC(input: ImageGCPlanInput): ImageGCPlan {
  const capacity = input.capacityBytes;
  const available = Math.min(input.availableBytes, capacity);
  if (capacity <= 0) return { kind: 'invalidCapacity' };
  const usagePercent = 100 - Math.trunc((available * 100) / capacity);
  if (usagePercent < input.policy.highThresholdPercent) return { kind: 'belowThreshold', usagePercent };
  const bytesToFree = Math.trunc((capacity * (100 - input.policy.lowThresholdPercent)) / 100) - available;
  const order = evictionOrder(input.images, input.now, input.policy.minAgeMs);
  const toRemove: ImageToFree[] = [];
  let plannedBytes = 0;
  for (const image of order) {
    if (plannedBytes >= bytesToFree) break;
    toRemove.push(image);
    plannedBytes += image.size;
  }
  return { kind: 'free', usagePercent, bytesToFree, evictionOrder: order, toRemove, plannedBytes };
}

/** The message of GarbageCollect's error (and FreeDiskSpaceFailed event) when not enough could be freed. */
export function notEnoughFreedMessage(bytesToFree: number, freed: number): string {
  return `Failed to garbage collect required amount of images. Attempted to free ${bytesToFree} bytes, but only found ${freed} bytes eligible to free.`;
}

/** The image filesystem: its size and free space (statfs), and the runtime's own use of it (CRI ImageFsInfo). */
export interface ImageFsStats {
  mountpoint: string;
  capacityBytes: number;
  availableBytes: number;
  usedBytes?: number;
}

export type StatfsFn = (path: string) => Promise<{ blocks: number; bsize: number; bavail: number }>;

/** ImageFsStats as the stats provider reads it: the mountpoint and usage from ImageFsInfo, capacity and availability from statfs. */
export async function readImageFsStats(images: Pick<ImageService, 'imageFsInfo'>, statfs: StatfsFn = nodeStatfs): Promise<ImageFsStats> {
  const info = await images.imageFsInfo({});
  const fs = info.imageFilesystems[0];
  const mountpoint = fs?.fsId?.mountpoint;
  if (mountpoint === undefined || mountpoint === '') throw new Error('the runtime reported no image filesystem');
  const s = await statfs(mountpoint);
  return {
    mountpoint,
    capacityBytes: s.blocks * s.bsize,
    availableBytes: s.bavail * s.bsize,
    ...(fs?.usedBytes !== undefined ? { usedBytes: Number(fs.usedBytes.value) } : {}),
  };
}

export type ImageGCEventType = 'Normal' | 'Warning';
type LogFn = (msg: string, fields: Record<string, unknown>) => void;

export interface ImageGCOptions {
  runtime: Pick<RuntimeService, 'listContainers'>;
  images: Pick<ImageService, 'listImages' | 'removeImage' | 'imageFsInfo'>;
  policy?: Partial<ImageGCPolicy>;
  /** The sandbox (pause) image, never removed even when the runtime does not pin it; default registry.k8s.io/pause:3.10. */
  sandboxImage?: string;
  /** Default imageGCPeriodMs. */
  periodMs?: number;
  /** The image filesystem's figures; default readImageFsStats of `images`. */
  imageFsStats?: () => Promise<ImageFsStats>;
  now?: () => number;
  /** An event on this node (upstream's recorder.Eventf(nodeRef, ...)). */
  record?: (type: ImageGCEventType, reason: string, message: string) => void;
  log?: { info: LogFn; warn: LogFn; error: LogFn };
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** errors.NewAggregate's text: the one message, or all of them in brackets. */
const aggregate = (errs: readonly unknown[]): string => (errs.length === 1 ? errText(errs[0]) : `[${errs.map(errText).join(', ')}]`);
const noLog: LogFn = () => undefined;

/** upstream's realImageGCManager, and the kubelet's loop that runs it. */
export class ImageGCManager {
  readonly policy: ImageGCPolicy;
  private readonly records = new Map<string, ImageRecord>();
  private readonly now: () => number;
  private readonly log: { info: LogFn; warn: LogFn; error: LogFn };
  private readonly sandboxRef: string;
  private readonly fsStats: () => Promise<ImageFsStats>;
  /** Runs one at a time: a collection on demand waits for the one in progress. */
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private prevFailed = false;
  private stopped = false;

  constructor(private readonly opts: ImageGCOptions) {
    this.policy = { ...defaultImageGCPolicy, ...opts.policy };
    validateImageGCPolicy(this.policy);
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? { info: noLog, warn: noLog, error: noLog };
    this.sandboxRef = opts.sandboxImage ?? DEFAULT_PAUSE_REF;
    this.fsStats = opts.imageFsStats ?? (() => readImageFsStats(opts.images));
  }

  /** The images tracked, by id. */
  imageRecords(): ReadonlyMap<string, Readonly<ImageRecord>> {
    return this.records;
  }

  /**
   * detectImages: lists images and containers (running or not), records new images as first detected at
   * detectTime, stamps the ones a container uses as used now, forgets images gone. Returns the ids in use.
   */
  async detectImages(detectTime: number): Promise<Set<string>> {
    const [{ images }, { containers }] = await Promise.all([this.opts.images.listImages({}), this.opts.runtime.listContainers({})]);
    const refs = new Set<string>();
    const addRef = (r: string | undefined): void => {
      if (r === undefined || r === '') return;
      refs.add(r);
      if (!r.startsWith('sha256:')) refs.add(normalizeImageRef(r));
    };
    for (const c of containers) {
      addRef(c.imageId);
      addRef(c.imageRef);
      addRef(c.image?.image);
    }
    const sandbox = normalizeImageRef(this.sandboxRef);
    const now = this.now();
    const inUse = new Set<string>();
    const current = new Set<string>();
    for (const image of images) {
      current.add(image.id);
      let record = this.records.get(image.id);
      if (record === undefined) this.records.set(image.id, (record = { firstDetected: detectTime, lastUsed: 0, size: 0, pinned: false }));
      const names = [image.id, ...image.repoTags, ...image.repoDigests];
      if (names.some((n) => refs.has(n))) {
        inUse.add(image.id);
        record.lastUsed = now;
      }
      record.size = Number(image.size);
      record.pinned = image.pinned || names.includes(sandbox) || names.includes(this.sandboxRef);
    }
    for (const id of [...this.records.keys()]) if (!current.has(id)) this.records.delete(id);
    return inUse;
  }

  /** The tracked images as the planner takes them. */
  private async candidates(freeTime: number): Promise<ImageGCCandidate[]> {
    const inUse = await this.detectImages(freeTime);
    return [...this.records].map(([id, r]) => ({ id, ...r, inUse: inUse.has(id) }));
  }

  /** freeSpace: removes images in order until bytesToFree are freed; a failed removal is skipped. Returns the bytes freed. */
  private async freeSpace(order: readonly ImageToFree[], bytesToFree: number): Promise<number> {
    const errors: unknown[] = [];
    let freed = 0;
    for (const image of order) {
      this.log.info('Removing image to free bytes', { imageID: image.id, size: image.size });
      try {
        await this.opts.images.removeImage({ image: { image: image.id } });
      } catch (e: unknown) {
        errors.push(e);
        continue;
      }
      this.records.delete(image.id);
      freed += image.size;
      if (freed >= bytesToFree) break;
    }
    if (errors.length > 0) throw new Error(`wanted to free ${bytesToFree} bytes, but freed ${freed} bytes space with errors in image deletion: ${aggregate(errors)}`);
    return freed;
  }

  private serialize<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f, f);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** GarbageCollect: frees images down to the low threshold when usage is at or above the high one; rejects when it could not. */
  garbageCollect(): Promise<void> {
    return this.serialize(async () => {
      const freeTime = this.now();
      const images = await this.candidates(freeTime);
      const fs = await this.fsStats();
      if (fs.availableBytes > fs.capacityBytes) this.log.info('Availability is larger than capacity', { available: fs.availableBytes, capacity: fs.capacityBytes });
      const plan = planImageGC({ images, capacityBytes: fs.capacityBytes, availableBytes: fs.availableBytes, policy: this.policy, now: freeTime });
      switch (plan.kind) {
        case 'invalidCapacity': {
          const message = 'invalid capacity 0 on image filesystem';
          this.opts.record?.('Warning', 'InvalidDiskCapacity', message);
          throw new Error(message);
        }
        case 'belowThreshold':
          return;
        case 'free': {
          this.log.info('Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold', {
            usage: plan.usagePercent, highThreshold: this.policy.highThresholdPercent, amountToFree: plan.bytesToFree, lowThreshold: this.policy.lowThresholdPercent,
          });
          const freed = await this.freeSpace(plan.evictionOrder, plan.bytesToFree);
          if (freed < plan.bytesToFree) {
            const message = notEnoughFreedMessage(plan.bytesToFree, freed);
            this.opts.record?.('Warning', 'FreeDiskSpaceFailed', message);
            throw new Error(message);
          }
          return;
        }
        default:
          return assertNever(plan);
      }
    });
  }

  /** DeleteUnusedImages: removes every image that may be removed, whatever the usage. */
  deleteUnusedImages(): Promise<void> {
    return this.serialize(async () => {
      this.log.info('Attempting to delete unused images', {});
      const freeTime = this.now();
      await this.freeSpace(evictionOrder(await this.candidates(freeTime), freeTime, this.policy.minAgeMs), Number.MAX_SAFE_INTEGER);
    });
  }

  /**
   * One round of the kubelet's loop: a failure is logged, and when the previous round failed too it is an
   * ImageGCFailed warning on the node.
   */
  async runOnce(): Promise<void> {
    try {
      await this.garbageCollect();
      if (this.prevFailed) this.log.info('Image garbage collection succeeded', {});
      this.prevFailed = false;
    } catch (e: unknown) {
      if (this.prevFailed) {
        this.log.error('Image garbage collection failed multiple times in a row', { err: errText(e) });
        this.opts.record?.('Warning', 'ImageGCFailed', errText(e));
      } else {
        this.log.error('Image garbage collection failed once. Stats initialization may not have completed yet', { err: errText(e) });
      }
      this.prevFailed = true;
    }
  }

  /** Collects now and every period. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    const tick = (): void => {
      if (!this.stopped) void this.runOnce();
    };
    this.timer = setInterval(tick, this.opts.periodMs ?? imageGCPeriodMs);
    this.timer.unref();
    tick();
  }

  /** Stops the loop and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.tail;
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected image GC plan ${JSON.stringify(x)}`);
}

/** Creates the manager and starts its loop. */
export function startImageGC(opts: ImageGCOptions): ImageGCManager {
  const m = new ImageGCManager(opts);
  m.start();
  return m;
}
