// STUB (owned by the groups validation helper): validators for apps, batch, networking, policy, ... kinds.
import type { KindValidators } from '../kind-validator.js';

export const groupValidators: KindValidators = {};
