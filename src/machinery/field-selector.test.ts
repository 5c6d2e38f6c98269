import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeFieldValue, FieldSelector, parseFieldSelector, unescapeFieldValue } from './field-selector.js';

describe('parseFieldSelector', () => {
  test('good selectors print back as given (upstream TestSelectorParse)', () => {
    for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=a||y\\=b', 'x=a\\=\\=b']) assert.equal(parseFieldSelector(s).toString(), s);
  });

  test('bad selectors are rejected', () => {
    for (const s of ['x=a||y=b', 'x==a==b', 'x=a,b', 'x in (a)', 'x in (a,b,c)', 'x']) assert.throws(() => parseFieldSelector(s), Error, s);
  });

  test('errors carry upstream messages', () => {
    assert.throws(() => parseFieldSelector('x'), { message: "invalid selector: 'x'; can't understand 'x'" });
    assert.throws(() => parseFieldSelector('a=b,x in (a)'), { message: "invalid selector: 'a=b,x in (a)'; can't understand 'x in (a)'" });
    assert.throws(() => parseFieldSelector('x==a==b'), { message: 'invalid field selector: unescaped character in value: 61' });
    assert.throws(() => parseFieldSelector('x=\\a'), { message: 'invalid field selector: invalid escape sequence: \\a' });
    assert.throws(() => parseFieldSelector('x=\\'), { message: 'invalid field selector: invalid escape sequence: \\' });
  });

  test('parsing is deterministic and == reads as =', () => {
    assert.equal(parseFieldSelector('x=a,a=x').toString(), parseFieldSelector('a=x,x=a').toString());
    assert.deepEqual(parseFieldSelector('spec.nodeName==n1,status.phase!=Running').requirements(), [
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
  });

  test('matching follows upstream TestSelectorMatches, a missing field being ""', () => {
    const fieldset = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
    assert.equal(parseFieldSelector('').matches({ x: 'y' }), true);
    assert.equal(parseFieldSelector('x=y,z=w').matches({ x: 'y', z: 'w' }), true);
    assert.equal(parseFieldSelector('x!=y,z!=w').matches({ x: 'z', z: 'a' }), true);
    assert.equal(parseFieldSelector('notin=in').matches({ notin: 'in' }), true);
    assert.equal(parseFieldSelector('foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\').matches(fieldset), true);
    assert.equal(parseFieldSelector('x!=y,z!=w').matches({ x: 'z', z: 'w' }), false);
    assert.equal(parseFieldSelector('foo=bar,foobar=bar,baz=blah').matches(fieldset), false);
    assert.equal(parseFieldSelector('missing=').matches(fieldset), true);
  });

  test('escaped commas stay in their term', () => {
    const sel = parseFieldSelector('k=\\,,k2=v2');
    assert.deepEqual(sel.requirements().map((r) => r.value), ['v2', ',']);
    assert.equal(sel.toString(), 'k2=v2,k=\\,');
  });

  test('requiresExactMatch and transform behave as upstream', () => {
    const sel = parseFieldSelector('metadata.name=a,spec.x!=b');
    assert.equal(sel.requiresExactMatch('metadata.name'), 'a');
    assert.equal(sel.requiresExactMatch('spec.x'), undefined);
    const t = sel.transform((f, v) => (f === 'spec.x' ? ['', ''] : [f.replace('metadata.', ''), v]));
    assert.equal(t.toString(), 'name=a');
    assert.equal(FieldSelector.everything().isEmpty(), true);
    assert.equal(FieldSelector.oneTermEqual('a', 'b').matches({ a: 'b' }), true);
  });
});

describe('escaping', () => {
  test('escape and unescape round-trip (upstream TestEscapeValue)', () => {
    const cases: Array<[string, string]> = [
      ['', ''],
      ['a', 'a'],
      ['=', '\\='],
      [',', '\\,'],
      ['\\', '\\\\'],
      ['\\=\\,\\', '\\\\\\=\\\\\\,\\\\'],
    ];
    for (const [raw, escaped] of cases) {
      assert.equal(escapeFieldValue(raw), escaped);
      assert.equal(unescapeFieldValue(escaped), raw);
    }
    for (const bad of ['\\', '\\\\\\', '\\a']) assert.throws(() => unescapeFieldValue(bad), /invalid escape sequence/);
  });
});
