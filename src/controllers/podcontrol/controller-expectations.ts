// ControllerExpectations as upstream's pkg/controller/controller_utils.go (UIDTrackingControllerExpectations): a
// controller that has just asked for N creations or these deletions does not act on its key again until its
// informer has observed them, or until the expectations are five minutes old.

export const expectationsTimeoutMs = 5 * 60 * 1000;

interface ControlleeExpectations {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, ControlleeExpectations>();
  /** The pod keys (namespace/name) whose deletion each controller expects (UIDTrackingControllerExpectations). */
  private readonly deletions = new Map<string, Set<string>>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Whether the controller may sync: no expectations, fulfilled ones, or expired ones. */
  satisfiedExpectations(controllerKey: string): boolean {
    const exp = this.store.get(controllerKey);
    if (exp === undefined) return true;
    if (exp.add <= 0 && exp.del <= 0) return true;
    return this.clock() - exp.timestamp > expectationsTimeoutMs;
  }

  /** The outstanding counts, for tests and logs. */
  get(controllerKey: string): { add: number; del: number } | undefined {
    const exp = this.store.get(controllerKey);
    return exp === undefined ? undefined : { add: exp.add, del: exp.del };
  }

  setExpectations(controllerKey: string, add: number, del: number): void {
    this.store.set(controllerKey, { add, del, timestamp: this.clock() });
  }

  expectCreations(controllerKey: string, adds: number): void {
    this.setExpectations(controllerKey, adds, 0);
  }

  /** Expects the deletion of exactly these pods (namespace/name keys). */
  expectDeletions(controllerKey: string, podKeys: readonly string[]): void {
    this.deletions.set(controllerKey, new Set(podKeys));
    this.setExpectations(controllerKey, 0, podKeys.length);
  }

  lowerExpectations(controllerKey: string, add: number, del: number): void {
    const exp = this.store.get(controllerKey);
    if (exp === undefined) return;
    exp.add -= add;
    exp.del -= del;
  }

  raiseExpectations(controllerKey: string, add: number, del: number): void {
    const exp = this.store.get(controllerKey);
    if (exp === undefined) return;
    exp.add += add;
    exp.del += del;
  }

  creationObserved(controllerKey: string): void {
    this.lowerExpectations(controllerKey, 1, 0);
  }

  /** Records the deletion of a pod, once, and only when it was one the controller expected to delete. */
  deletionObserved(controllerKey: string, podKey: string): void {
    const keys = this.deletions.get(controllerKey);
    if (keys === undefined || !keys.delete(podKey)) return;
    this.lowerExpectations(controllerKey, 0, 1);
  }

  deleteExpectations(controllerKey: string): void {
    this.store.delete(controllerKey);
    this.deletions.delete(controllerKey);
  }
}
