// STUB (owned by the groups validation helper): defaulters for apps, batch, ... kinds.
import type { KubeObject } from '../../object.js';

export const groupDefaulters: Readonly<Record<string, (obj: KubeObject) => void>> = {};
