// STUB (owned by the core validation helper): defaulters for core/v1 kinds.
import type { KubeObject } from '../../object.js';

export const coreDefaulters: Readonly<Record<string, (obj: KubeObject) => void>> = {};
