// labelSelector / fieldSelector query parameters -> a Selection, with upstream's 400 errors. Field labels are
// converted per served version (events.k8s.io "regarding.name" -> "involvedObject.name") before matching.
import { fieldLabelError, normalizeFieldLabel } from '../../api/fields/index.js';
import type { ResourceInfo } from '../../api/resources.js';
import { ApiError } from '../../machinery/errors.js';
import { parseFieldSelector } from '../../machinery/field-selector.js';
import { parseLabelSelector } from '../../machinery/label-selector.js';
import type { Selection } from '../registry/selection.js';

/** `r` is the served resource (its version decides which field labels exist). */
export function parseSelection(query: URLSearchParams, r: ResourceInfo, extraField?: string): Selection {
  const out: { label?: Selection['label']; field?: Selection['field'] } = {};
  const ls = query.get('labelSelector');
  if (ls !== null && ls.trim() !== '') {
    let sel: ReturnType<typeof parseLabelSelector>;
    try {
      sel = parseLabelSelector(ls);
    } catch (e: unknown) {
      throw ApiError.badRequest(e instanceof Error ? e.message : String(e));
    }
    out.label = { matches: (l) => sel.matches(l), empty: () => false };
  }
  let fs = query.get('fieldSelector') ?? '';
  if (extraField !== undefined) fs = fs.trim() === '' ? extraField : `${fs},${extraField}`;
  if (fs.trim() !== '') {
    let sel: ReturnType<typeof parseFieldSelector>;
    try {
      sel = parseFieldSelector(fs);
    } catch (e: unknown) {
      throw ApiError.badRequest(e instanceof Error ? e.message : String(e));
    }
    const normalized = sel.transform((field, value) => {
      const f = normalizeFieldLabel(r, field);
      if (f === undefined) throw ApiError.badRequest(fieldLabelError(field, r));
      return [f, value];
    });
    out.field = { matches: (f) => normalized.matches(f), empty: () => normalized.isEmpty() };
  }
  return out;
}
