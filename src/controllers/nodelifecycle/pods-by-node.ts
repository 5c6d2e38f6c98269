// The spec.nodeName index over a pod informer (upstream's nodeNameKeyIndex): the pods bound to a node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { objectKey, type Informer, type Obj } from '../../client/informer.js';

export class PodsByNode {
  private readonly index = new Map<string, Set<string>>();

  constructor(private readonly pods: Informer) {
    pods.addHandlers({
      add: (p) => this.put(p),
      update: (old, p) => {
        this.drop(old);
        this.put(p);
      },
      delete: (p) => this.drop(p),
    });
  }

  /** The pods bound to `nodeName`, from the informer's cache. */
  get(nodeName: string): Pod[] {
    const keys = this.index.get(nodeName);
    if (keys === undefined) return [];
    const out: Pod[] = [];
    for (const key of keys) {
      const pod = this.pods.get(key);
      if (pod !== undefined) out.push(pod as Pod);
    }
    return out;
  }

  private put(p: Obj): void {
    const node = (p as Pod).spec?.nodeName ?? '';
    if (node === '') return;
    let keys = this.index.get(node);
    if (keys === undefined) {
      keys = new Set();
      this.index.set(node, keys);
    }
    keys.add(objectKey(p));
  }

  private drop(p: Obj): void {
    const node = (p as Pod).spec?.nodeName ?? '';
    const keys = this.index.get(node);
    if (keys === undefined) return;
    keys.delete(objectKey(p));
    if (keys.size === 0) this.index.delete(node);
  }
}
