// The taint eviction controller (pkg/controller/tainteviction, upstream name taint-eviction-controller; a controller of
// its own since SeparateTaintEvictionController, on by default in 1.32). A pod on a node with NoExecute taints it does
// not tolerate is deleted at once; one that tolerates them all for a while (tolerationSeconds, the shortest that
// applies) is deleted that long after the controller saw it on the tainted node; one that tolerates them forever stays.
// Before the DELETE the pod gets the DisruptionTarget condition (DeletionByTaintManager), and the event
// TaintManagerEviction "Marking for deletion Pod ns/name" is recorded; a scheduled deletion that no longer applies is
// cancelled with "Cancelling deletion of Pod ns/name".
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { log } from '../../cli/log.js';
import { Informer, objectKey, type Obj } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import { ApiError } from '../../machinery/errors.js';
import { EventRecorder } from '../events/event-recorder.js';
import { updatePodCondition } from './pod-condition.js';
import { PodsByNode } from './pods-by-node.js';
import { noExecuteTaints, planPodEviction, type ScheduledEviction } from './tolerations.js';

export interface TaintEvictionControllerOptions {
  /** The clock (for tests). */
  now?: () => number;
}

export interface TaintEvictionControllerHandle {
  waitForSync(): Promise<void>;
  stop(): void;
}

/** Tries of the condition-and-delete step, 10 ms apart. */
const deleteTries = 5;

interface Worker extends ScheduledEviction {
  /** Undefined once running. */
  timer: NodeJS.Timeout | undefined;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function startTaintEvictionController(client: RestClient, opts: TaintEvictionControllerOptions = {}): TaintEvictionControllerHandle {
  const now = opts.now ?? Date.now;
  const logger = { controller: 'taint-eviction-controller' };
  const recorder = new EventRecorder(client, { component: 'taint-eviction-controller' });
  const nodes = new Informer(client, '/api/v1/nodes');
  const pods = new Informer(client, '/api/v1/pods');
  const podsByNode = new PodsByNode(pods);
  /** Node name -> its NoExecute taints (nodes without any are absent). */
  const taintedNodes = new Map<string, Taint[]>();
  /** ns/name -> the pending or running deletion. */
  const workers = new Map<string, Worker>();
  let stopped = false;

  const podRef = (key: string): { apiVersion: string; kind: string; metadata: { namespace: string; name: string } } => {
    const [namespace = '', name = ''] = key.split('/');
    return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } };
  };

  const addConditionAndDeletePod = async (key: string): Promise<void> => {
    const { namespace, name } = podRef(key).metadata;
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
    const pod = await client.request<Pod>('GET', path);
    const { status, changed } = updatePodCondition(
      pod.status,
      { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
      now(),
    );
    if (changed) {
      const condition = (status.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
      await client.request('PATCH', `${path}/status`, { metadata: { uid: pod.metadata?.uid }, status: { conditions: [condition] } }, 'application/strategic-merge-patch+json');
    }
    await client.request('DELETE', path);
  };

  /** deletePodHandler: the event, then up to five tries of condition and delete. */
  const fire = async (key: string): Promise<void> => {
    const w = workers.get(key);
    if (w !== undefined) w.timer = undefined;
    log.info('deleting pod', { ...logger, pod: key });
    recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', 'Marking for deletion Pod %s', key);
    let err: unknown;
    for (let i = 0; i < deleteTries && !stopped; i++) {
      try {
        await addConditionAndDeletePod(key);
        err = undefined;
        break;
      } catch (e: unknown) {
        err = e;
        if (e instanceof ApiError && e.code === 404) break;
        await sleep(10);
      }
    }
    if (err !== undefined && !(err instanceof ApiError && err.code === 404)) log.warn('taint eviction failed', { ...logger, pod: key, err: errText(err) });
    if (workers.get(key) === w) workers.delete(key);
  };

  /** AddWork: a deletion at fireAtMs unless one is pending or running already. */
  const addWork = (key: string, eviction: ScheduledEviction, nowMs: number): void => {
    if (workers.has(key)) return;
    const delay = eviction.fireAtMs - nowMs;
    const w: Worker = { ...eviction, timer: undefined };
    workers.set(key, w);
    if (delay <= 0) {
      void fire(key);
      return;
    }
    w.timer = setTimeout(() => void fire(key), delay);
    w.timer.unref();
  };

  /** CancelWork, with the cancelling event when a pending deletion was stopped. */
  const cancelWork = (key: string): void => {
    const w = workers.get(key);
    if (w === undefined) return;
    workers.delete(key);
    if (w.timer !== undefined) {
      clearTimeout(w.timer);
      recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', 'Cancelling deletion of Pod %s', key);
    }
  };

  const processPodOnNode = (key: string, pod: Pod, taints: readonly Taint[], nowMs: number): void => {
    const pendingWorker = workers.get(key);
    const pending = pendingWorker?.timer !== undefined ? pendingWorker : undefined;
    const plan = planPodEviction(taints, pod.spec?.tolerations, nowMs, pending);
    switch (plan.kind) {
      case 'cancel':
        cancelWork(key);
        return;
      case 'keep':
        return;
      case 'schedule':
        cancelWork(key);
        addWork(key, plan.eviction, nowMs);
        return;
      default: {
        const never: never = plan;
        throw new Error(`unexpected plan ${JSON.stringify(never)}`);
      }
    }
  };

  const handleNodeUpdate = (name: string): void => {
    const node = nodes.get(name) as Node | undefined;
    if (node === undefined) {
      taintedNodes.delete(name);
      return;
    }
    const taints = noExecuteTaints(node.spec?.taints);
    if (taints.length === 0) taintedNodes.delete(name);
    else taintedNodes.set(name, taints);
    const onNode = podsByNode.get(name);
    if (taints.length === 0) {
      for (const pod of onNode) cancelWork(objectKey(pod as Obj));
      return;
    }
    const t = now();
    for (const pod of onNode) processPodOnNode(objectKey(pod as Obj), pod, taints, t);
  };

  const handlePodUpdate = (key: string, nodeName: string): void => {
    const pod = pods.get(key) as Pod | undefined;
    if (pod === undefined) {
      cancelWork(key);
      return;
    }
    if ((pod.spec?.nodeName ?? '') !== nodeName || nodeName === '') return;
    const taints = taintedNodes.get(nodeName);
    if (taints === undefined) return;
    processPodOnNode(key, pod, taints, now());
  };

  nodes.addHandlers({
    add: (n) => handleNodeUpdate(n.metadata?.name ?? ''),
    update: (o, n) => {
      if (!sameTaints(noExecuteTaints((o as Node).spec?.taints), noExecuteTaints((n as Node).spec?.taints))) handleNodeUpdate(n.metadata?.name ?? '');
    },
    delete: (n) => handleNodeUpdate(n.metadata?.name ?? ''),
  });
  pods.addHandlers({
    add: (p) => handlePodUpdate(objectKey(p), (p as Pod).spec?.nodeName ?? ''),
    update: (o, p) => {
      const op = o as Pod;
      const np = p as Pod;
      if (JSON.stringify(op.spec?.tolerations ?? []) === JSON.stringify(np.spec?.tolerations ?? []) && op.spec?.nodeName === np.spec?.nodeName) return;
      handlePodUpdate(objectKey(p), np.spec?.nodeName ?? '');
    },
    delete: (p) => handlePodUpdate(objectKey(p), (p as Pod).spec?.nodeName ?? ''),
  });

  const synced = Promise.all([nodes.waitForSync(), pods.waitForSync()]).then(() => undefined);
  // Pods come first so that a node's first event finds its pods in the index.
  pods.start();
  void pods.waitForSync().then(() => {
    if (!stopped) nodes.start();
  });
  return {
    waitForSync: () => synced,
    stop: () => {
      stopped = true;
      for (const w of workers.values()) if (w.timer !== undefined) clearTimeout(w.timer);
      workers.clear();
      nodes.stop();
      pods.stop();
      recorder.stop();
    },
  };
}
