// STUB (owned by the core validation helper): validators for core/v1 kinds.
import type { KindValidators } from '../kind-validator.js';

export const coreValidators: KindValidators = {};
