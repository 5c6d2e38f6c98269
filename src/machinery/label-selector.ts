// Label selectors after k8s.io/apimachinery/pkg/labels/selector.go: the string form that
// ?labelSelector= carries (parsed with upstream's lexer and parser, so errors read the same),
// the object form of metav1.LabelSelector (LabelSelectorAsSelector), matching and the
// canonical string. Parse errors are plain Errors; the apiserver turns them into 400 BadRequest.

/** selection.Operator values, spelled as upstream spells them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Values in the order they were given (the parser gives them sorted and deduplicated). */
  readonly values: readonly string[];
}

/** The object form (metav1.LabelSelector). */
export interface LabelSelectorObject {
  matchLabels?: Readonly<Record<string, string>> | null;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] | null }> | null;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers (k8s.io/apimachinery/pkg/util/validation), returning upstream's strings.

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRegexp = new RegExp(`^${qualifiedNameFmt}$`);

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueMaxLength = 63;
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrorMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainMaxLength = 253;
const dns1123SubdomainRegexp = new RegExp(`^${dns1123SubdomainFmt}$`);

/** Go measures strings in bytes. */
function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Upstream's validation.MaxLenError. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Upstream's validation.RegexError: "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')". */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += ' or ';
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

/** Upstream's validation.EmptyError. */
export function emptyError(): string {
  return 'must be non-empty';
}

/** validation.IsDNS1123Subdomain: the error strings, empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > dns1123SubdomainMaxLength) errs.push(maxLenError(dns1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexp.test(value)) errs.push(regexError(dns1123SubdomainErrorMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

/** validation.IsQualifiedName (label keys, annotation keys, ...): the error strings, empty when valid. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) {
      errs.push(`prefix part ${emptyError()}`);
    } else {
      for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
    }
  } else {
    errs.push(
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    return errs;
  }
  if (name.length === 0) {
    errs.push(`name part ${emptyError()}`);
  } else if (byteLength(name) > qualifiedNameMaxLength) {
    errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  }
  if (!qualifiedNameRegexp.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** validation.IsValidLabelValue: the error strings, empty when valid. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > labelValueMaxLength) errs.push(maxLenError(labelValueMaxLength));
  if (!labelValueRegexp.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Requirements

const binaryOperators: readonly LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const validRequirementOperators: readonly LabelOperator[] = [...binaryOperators, 'exists', '!'];

/** Go's %#v of a []string, as field.Invalid prints it. */
function goStringSlice(vals: readonly string[] | null): string {
  if (vals === null) return '[]string(nil)';
  return `[]string{${vals.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** field.Error.Error() for Invalid with a string or []string value. */
function invalidMessage(path: string, value: string | readonly string[] | null, detail: string): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : goStringSlice(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** utilerrors aggregate: one message alone, several in brackets. */
function aggregate(msgs: readonly string[]): string {
  const seen = new Set<string>();
  const uniq = msgs.filter((m) => (seen.has(m) ? false : (seen.add(m), true)));
  return uniq.length === 1 ? (uniq[0] ?? '') : `[${uniq.join(', ')}]`;
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined on any error. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < int64Min || v > int64Max ? undefined : v;
}

/**
 * labels.NewRequirement: validates and returns the requirement, or throws an Error whose message
 * is upstream's aggregated field errors. `rawValues` null stands for a nil Go slice.
 */
export function newLabelRequirement(key: string, operator: LabelOperator, rawValues: readonly string[] | null): LabelRequirement {
  const vals = rawValues ?? [];
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalidMessage('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(invalidMessage('values', rawValues, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(invalidMessage('values', rawValues, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(invalidMessage('values', rawValues, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(invalidMessage('values', rawValues, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default: {
      const op: string = operator;
      errs.push(`operator: Unsupported value: ${JSON.stringify(op)}: supported values: ${validRequirementOperators.map((o) => JSON.stringify(o)).join(', ')}`);
    }
  }
  vals.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalidMessage(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length > 0) throw new Error(aggregate(errs));
  return { key, operator, values: [...vals] };
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || value === undefined) return false;
      const lsValue = parseInt64(value);
      if (lsValue === undefined || r.values.length !== 1) return false;
      const rValue = parseInt64(r.values[0] ?? '');
      if (rValue === undefined) return false;
      return r.operator === 'gt' ? lsValue > rValue : lsValue < rValue;
    }
    default:
      return false;
  }
}

/** Go's sort.Strings order (byte order of UTF-8). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sortedStrings(values: readonly string[]): string[] {
  return [...values].sort(compareBytes);
}

/** Requirement.String(). */
export function labelRequirementString(r: LabelRequirement): string {
  let s = r.operator === '!' ? '!' : '';
  s += r.key;
  switch (r.operator) {
    case '=':
      s += '=';
      break;
    case '==':
      s += '==';
      break;
    case '!=':
      s += '!=';
      break;
    case 'in':
      s += ' in ';
      break;
    case 'notin':
      s += ' notin ';
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
    case 'exists':
    case '!':
      return s;
  }
  const setBased = r.operator === 'in' || r.operator === 'notin';
  if (setBased) s += '(';
  s += r.values.length === 1 ? (r.values[0] ?? '') : sortedStrings(r.values).join(',');
  if (setBased) s += ')';
  return s;
}

// ---------------------------------------------------------------------------------------------
// Selector

/**
 * A label selector. `LabelSelector.everything()` matches all label sets (an empty selector);
 * `LabelSelector.nothing()` matches none (what a null metav1.LabelSelector means).
 */
export class LabelSelector {
  private static readonly everythingInstance = new LabelSelector([]);
  private static readonly nothingInstance = new LabelSelector(null);

  private constructor(private readonly reqs: readonly LabelRequirement[] | null) {}

  static everything(): LabelSelector {
    return LabelSelector.everythingInstance;
  }

  static nothing(): LabelSelector {
    return LabelSelector.nothingInstance;
  }

  /** A selector of these requirements, sorted by key (stable), as Selector.Add does. */
  static fromRequirements(reqs: readonly LabelRequirement[]): LabelSelector {
    return new LabelSelector(sortByKey(reqs));
  }

  /** labels.SelectorFromSet: key=value for each entry; an empty or missing set selects everything. */
  static fromSet(set: Readonly<Record<string, string>> | null | undefined): LabelSelector {
    if (set === null || set === undefined) return LabelSelector.everythingInstance;
    return new LabelSelector(sortByKey(Object.entries(set).map(([key, value]) => ({ key, operator: '=' as const, values: [value] }))));
  }

  /** True for the selector that matches nothing. */
  get matchesNothing(): boolean {
    return this.reqs === null;
  }

  /** Selector.Empty(): true when the selector does not restrict (matches everything). */
  isEmpty(): boolean {
    return this.reqs !== null && this.reqs.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | null | undefined): boolean {
    if (this.reqs === null) return false;
    const ls = labels ?? {};
    return this.reqs.every((r) => requirementMatches(r, ls));
  }

  /** The requirements, sorted by key; empty for both everything and nothing (see matchesNothing). */
  requirements(): readonly LabelRequirement[] {
    return this.reqs ?? [];
  }

  /** A new selector with more requirements (Selector.Add); nothing stays nothing. */
  add(...more: LabelRequirement[]): LabelSelector {
    if (this.reqs === null) return this;
    return new LabelSelector(sortByKey([...this.reqs, ...more]));
  }

  /** RequiresExactMatch: the single value the selector requires for `label`, if any. */
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.reqs ?? []) {
      if (r.key !== label) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  /** Canonical string: requirements sorted by key, values sorted; "" for everything and nothing. */
  toString(): string {
    return (this.reqs ?? []).map(labelRequirementString).join(',');
  }
}

function sortByKey(reqs: readonly LabelRequirement[]): LabelRequirement[] {
  // Go sorts with sort.Sort(ByKey); selectors are small, where that is an insertion sort (stable).
  return [...reqs].sort((a, b) => compareBytes(a.key, b.key));
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser (a transcription of upstream's, so that errors carry the same words).

enum Token {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const string2token: ReadonlyMap<string, Token> = new Map([
  [')', Token.ClosedPar],
  [',', Token.Comma],
  ['!', Token.DoesNotExist],
  ['==', Token.DoubleEquals],
  ['=', Token.Equals],
  ['>', Token.GreaterThan],
  ['in', Token.In],
  ['<', Token.LessThan],
  ['!=', Token.NotEquals],
  ['notin', Token.NotIn],
  ['(', Token.OpenPar],
]);

interface ScannedItem {
  tok: Token;
  literal: string;
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  /** The next character, or "" at the end (Go's 0 byte; a NUL in the input ends it too). */
  private read(): string {
    let ch = '';
    if (this.pos < this.s.length) {
      ch = this.s[this.pos] ?? '';
      this.pos++;
    }
    return ch === '\0' ? '' : ch;
  }

  private unread(): void {
    this.pos--;
  }

  private scanIDOrKeyword(): ScannedItem {
    let buffer = '';
    for (;;) {
      const ch = this.read();
      if (ch === '') break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
    }
    const tok = string2token.get(buffer);
    return tok !== undefined ? { tok, literal: buffer } : { tok: Token.Identifier, literal: buffer };
  }

  private scanSpecialSymbol(): ScannedItem {
    let last: ScannedItem | undefined;
    let buffer = '';
    for (;;) {
      const ch = this.read();
      if (ch === '') break;
      if (isSpecialSymbol(ch)) {
        buffer += ch;
        const tok = string2token.get(buffer);
        if (tok !== undefined) {
          last = { tok, literal: buffer };
        } else if (last !== undefined) {
          this.unread();
          break;
        }
      } else {
        this.unread();
        break;
      }
    }
    if (last === undefined) return { tok: Token.Error, literal: `error expected: keyword found '${buffer}'` };
    return last;
  }

  lex(): ScannedItem {
    let ch = this.read();
    while (ch !== '' && isWhitespace(ch)) ch = this.read();
    if (ch === '') return { tok: Token.EndOfString, literal: '' };
    this.unread();
    return isSpecialSymbol(ch) ? this.scanSpecialSymbol() : this.scanIDOrKeyword();
  }
}

/** In the Values context the keywords "in" and "notin" are plain identifiers. */
type ParserContext = 'keyAndOperator' | 'values';

class Parser {
  private readonly items: ScannedItem[] = [];
  private position = 0;

  constructor(input: string) {
    const lexer = new Lexer(input);
    for (;;) {
      const item = lexer.lex();
      this.items.push(item);
      if (item.tok === Token.EndOfString) break;
    }
  }

  private at(i: number, context: ParserContext): ScannedItem {
    const item = this.items[Math.min(i, this.items.length - 1)] ?? { tok: Token.EndOfString, literal: '' };
    if (context === 'values' && (item.tok === Token.In || item.tok === Token.NotIn)) return { tok: Token.Identifier, literal: item.literal };
    return item;
  }

  private lookahead(context: ParserContext): ScannedItem {
    return this.at(this.position, context);
  }

  private consume(context: ParserContext): ScannedItem {
    this.position++;
    return this.at(this.position - 1, context);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, literal } = this.lookahead('values');
      switch (tok) {
        case Token.Identifier:
        case Token.DoesNotExist: {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (e: unknown) {
            throw new Error(`unable to parse requirement: ${e instanceof Error ? e.message : String(e)}`);
          }
          requirements.push(r);
          const next = this.consume('values');
          switch (next.tok) {
            case Token.EndOfString:
              return requirements;
            case Token.Comma: {
              const after = this.lookahead('values');
              if (after.tok !== Token.Identifier && after.tok !== Token.DoesNotExist) {
                throw new Error(`found '${after.literal}', expected: identifier after ','`);
              }
              break;
            }
            default:
              throw new Error(`found '${next.literal}', expected: ',' or 'end of string'`);
          }
          break;
        }
        case Token.EndOfString:
          return requirements;
        default:
          throw new Error(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newLabelRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newLabelRequirement(key, op, sortedStrings([...values]));
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume('values');
    if (item.tok === Token.DoesNotExist) {
      operator = '!';
      item = this.consume('values');
    }
    if (item.tok !== Token.Identifier) throw new Error(`found '${item.literal}', expected: identifier`);
    const keyErrs = isQualifiedName(item.literal);
    if (keyErrs.length > 0) throw new Error(invalidMessage('<nil>', item.literal, keyErrs.join('; ')));
    const t = this.lookahead('values').tok;
    if ((t === Token.EndOfString || t === Token.Comma) && operator !== '!') operator = 'exists';
    return { key: item.literal, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, literal } = this.consume('keyAndOperator');
    switch (tok) {
      case Token.In:
        return 'in';
      case Token.Equals:
        return '=';
      case Token.DoubleEquals:
        return '==';
      case Token.GreaterThan:
        return 'gt';
      case Token.LessThan:
        return 'lt';
      case Token.NotIn:
        return 'notin';
      case Token.NotEquals:
        return '!=';
      default:
        throw new Error(`found '${literal}', expected: ${binaryOperators.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== Token.OpenPar) throw new Error(`found '${open.literal}' expected: '('`);
    const { tok, literal } = this.lookahead('values');
    switch (tok) {
      case Token.Identifier:
      case Token.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume('values').tok !== Token.ClosedPar) throw new Error(`found '${literal}', expected: ')'`);
        return s;
      }
      case Token.ClosedPar:
        this.consume('values');
        return new Set(['']);
      default:
        throw new Error(`found '${literal}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, literal } = this.consume('values');
      switch (tok) {
        case Token.Identifier: {
          s.add(literal);
          const next = this.lookahead('values');
          if (next.tok === Token.Comma) continue;
          if (next.tok === Token.ClosedPar) return s;
          throw new Error(`found '${next.literal}', expected: ',' or ')'`);
        }
        case Token.Comma: {
          if (s.size === 0) s.add('');
          const next = this.lookahead('values').tok;
          if (next === Token.ClosedPar) {
            s.add('');
            return s;
          }
          if (next === Token.Comma) {
            this.consume('values');
            s.add('');
          }
          break;
        }
        default:
          throw new Error(`found '${literal}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const ahead = this.lookahead('values').tok;
    if (ahead === Token.EndOfString || ahead === Token.Comma) return new Set(['']);
    const { tok, literal } = this.consume('values');
    if (tok === Token.Identifier) return new Set([literal]);
    throw new Error(`found '${literal}', expected: identifier`);
  }
}

/**
 * labels.Parse: the string form ("a=b,c in (x,y),!d"). Throws an Error with upstream's message,
 * e.g. "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt".
 * The empty string selects everything.
 */
export function parseLabelSelector(s: string): LabelSelector {
  return LabelSelector.fromRequirements(new Parser(s).parse());
}

const objectOperators: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, an empty selector selects
 * everything. Throws an Error with upstream's message for invalid keys, values or operators.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return LabelSelector.nothing();
  const matchLabels = sel.matchLabels ?? {};
  const matchExpressions = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + matchExpressions.length === 0) return LabelSelector.everything();
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(newLabelRequirement(k, '=', [v]));
  for (const expr of matchExpressions) {
    const op = Object.prototype.hasOwnProperty.call(objectOperators, expr.operator) ? objectOperators[expr.operator] : undefined;
    if (op === undefined) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    const values = expr.values === null || expr.values === undefined || expr.values.length === 0 ? null : [...expr.values];
    reqs.push(newLabelRequirement(expr.key, op, values));
  }
  return LabelSelector.fromRequirements(reqs);
}
