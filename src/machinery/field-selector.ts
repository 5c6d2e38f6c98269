// Field selectors after k8s.io/apimachinery/pkg/fields/selector.go: "a=b,c!=d" with "==" as a
// synonym of "=", values escaped with backslashes (\, \= \\), terms sorted so that parsing is
// deterministic. Parse errors are plain Errors with upstream's messages (the apiserver answers 400).

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** "==" in the input is reported as "=", as upstream's Requirements() does. */
  readonly operator: FieldOperator;
  /** The unescaped value. */
  readonly value: string;
}

/** Maps a field and value to new ones (ParseAndTransformSelector); both empty drops the term. */
export type FieldTransform = (field: string, value: string) => [string, string];

/** Go's sort.Strings order (byte order of UTF-8). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** fields.EscapeValue: prefixes \ , and = with a backslash. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue: the literal value, or an Error for an invalid escape or an unescaped , or =. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') {
        out += c;
      } else {
        throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      inSlash = false;
      continue;
    }
    if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream prints the rune with %v, that is as its number.
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** splitTerms: comma-separated terms; an escaped comma stays in its term, backslash included. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) {
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

/** splitTerm: the first operator in the term splits it; the left side has no escaping. */
function splitTerm(term: string): { lhs: string; op: (typeof termOperators)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

export class FieldSelector {
  private static readonly everythingInstance = new FieldSelector([]);

  private constructor(private readonly terms: readonly FieldRequirement[]) {}

  /** The selector that matches every object (fields.Everything()). */
  static everything(): FieldSelector {
    return FieldSelector.everythingInstance;
  }

  /** A selector of exactly these terms, in this order. */
  static fromRequirements(reqs: readonly FieldRequirement[]): FieldSelector {
    return reqs.length === 0 ? FieldSelector.everythingInstance : new FieldSelector([...reqs]);
  }

  /** fields.OneTermEqualSelector. */
  static oneTermEqual(field: string, value: string): FieldSelector {
    return new FieldSelector([{ field, operator: '=', value }]);
  }

  /** fields.SelectorFromSet: field=value for each entry, in the set's order. */
  static fromSet(set: Readonly<Record<string, string>> | null | undefined): FieldSelector {
    if (set === null || set === undefined) return FieldSelector.everythingInstance;
    return new FieldSelector(Object.entries(set).map(([field, value]) => ({ field, operator: '=' as const, value })));
  }

  /** A selector that requires all of these (fields.AndSelectors). */
  static and(...selectors: FieldSelector[]): FieldSelector {
    return new FieldSelector(selectors.flatMap((s) => s.terms));
  }

  /** True when the selector does not restrict (Empty()). */
  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  /** A missing field counts as "", as upstream's Fields.Get does. */
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.terms.every((t) => {
      const v = Object.prototype.hasOwnProperty.call(fields, t.field) ? (fields[t.field] ?? '') : '';
      return t.operator === '=' ? v === t.value : v !== t.value;
    });
  }

  requirements(): readonly FieldRequirement[] {
    return this.terms;
  }

  /** RequiresExactMatch: the value an "=" term requires for `field`, if any. */
  requiresExactMatch(field: string): string | undefined {
    for (const t of this.terms) if (t.operator === '=' && t.field === field) return t.value;
    return undefined;
  }

  /** Transform: maps each term; a term mapped to ("", "") is dropped. Errors thrown by fn propagate. */
  transform(fn: FieldTransform): FieldSelector {
    const next: FieldRequirement[] = [];
    for (const t of this.terms) {
      const [field, value] = fn(t.field, t.value);
      if (field.length === 0 && value.length === 0) continue;
      next.push({ field, operator: t.operator, value });
    }
    return new FieldSelector(next);
  }

  /** The selector as a string, values escaped: "a=b,c!=d". */
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
  }
}

/**
 * fields.ParseSelector. Throws an Error with upstream's message, e.g.
 * "invalid selector: 'foo'; can't understand 'foo'". The empty string selects everything.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort(compareBytes);
  const items: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (t === undefined) throw new Error(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeFieldValue(t.rhs);
    items.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value });
  }
  return FieldSelector.fromRequirements(items);
}
