import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isQualifiedName, isValidLabelValue, labelSelectorFromObject, LabelSelector, newLabelRequirement, parseLabelSelector } from './label-selector.js';

const nameRegexHint = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('parseLabelSelector', () => {
  test('good selectors print back without their spaces (upstream TestSelectorParse)', () => {
    for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
      assert.equal(parseLabelSelector(s).toString(), s.replaceAll(' ', ''), s);
    }
  });

  test('bad selectors are rejected', () => {
    for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a']) assert.throws(() => parseLabelSelector(s), Error, s);
  });

  test('parsing is deterministic: requirements are sorted by key', () => {
    assert.equal(parseLabelSelector('x=a,a=x').toString(), parseLabelSelector('a=x,x=a').toString());
    assert.equal(parseLabelSelector('x notin (abc,def),bar,z in (),w').toString(), 'bar,w,x notin (abc,def),z in ()');
  });

  test('set-based requirements accept whitespace, empty values and keywords as values', () => {
    assert.equal(parseLabelSelector('foo  in\t (abc)').toString(), 'foo in (abc)');
    assert.equal(parseLabelSelector('x notin\n (abc)').toString(), 'x notin (abc)');
    assert.equal(parseLabelSelector('x in (abc,)').toString(), 'x in (,abc)');
    assert.equal(parseLabelSelector('x in (def, abc, def)').toString(), 'x in (abc,def)');
    assert.equal(parseLabelSelector('\rx').toString(), 'x');
    assert.equal(parseLabelSelector('notin=in').toString(), 'notin=in');
    assert.equal(parseLabelSelector('x in (in,notin)').toString(), 'x in (in,notin)');
    assert.equal(parseLabelSelector('0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)').toString(), '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)');
  });

  test('matching follows upstream TestSelectorMatches', () => {
    const yes: Array<[string, Record<string, string>]> = [
      ['', { x: 'y' }],
      ['x=y', { x: 'y' }],
      ['x=y,z=w', { x: 'y', z: 'w' }],
      ['x!=y,z!=w', { x: 'z', z: 'a' }],
      ['notin=in', { notin: 'in' }],
      ['x', { x: 'z' }],
      ['!x', { y: 'z' }],
      ['x>1', { x: '2' }],
      ['x<1', { x: '0' }],
      ['x notin ()', { y: '' }],
    ];
    const no: Array<[string, Record<string, string>]> = [
      ['x=z', {}],
      ['x=y', { x: 'z' }],
      ['x=y,z=w', { x: 'w', z: 'w' }],
      ['x!=y,z!=w', { x: 'z', z: 'w' }],
      ['x', { y: 'z' }],
      ['!x', { x: 'z' }],
      ['x>1', { x: '0' }],
      ['x<1', { x: '2' }],
      ['z>1', { z: 'v2' }],
      ['x in ()', { y: 'baz' }],
    ];
    for (const [s, l] of yes) assert.equal(parseLabelSelector(s).matches(l), true, `${s} should match ${JSON.stringify(l)}`);
    for (const [s, l] of no) assert.equal(parseLabelSelector(s).matches(l), false, `${s} should not match ${JSON.stringify(l)}`);
  });

  test('syntax errors carry upstream messages', () => {
    const cases: Array<[string, string]> = [
      ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ['x in a', "unable to parse requirement: found 'a' expected: '('"],
      ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
      ['x=a,', "found '', expected: identifier after ','"],
      ['x=a)', "found ')', expected: ',' or 'end of string'"],
      [',x', "found ',', expected: !, identifier, or 'end of string'"],
      ['!=x', "found '!=', expected: !, identifier, or 'end of string'"],
      ['x=(a)', "unable to parse requirement: found '(', expected: identifier"],
      ['!!x', "unable to parse requirement: found '!', expected: identifier"],
    ];
    for (const [s, msg] of cases) assert.throws(() => parseLabelSelector(s), { message: msg }, s);
  });

  test('an invalid key is reported against the nil path, as upstream does', () => {
    assert.throws(() => parseLabelSelector('a:'), {
      message: `unable to parse requirement: <nil>: Invalid value: "a:": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${nameRegexHint}`,
    });
  });

  test('an invalid value is reported at values[i][key]', () => {
    assert.throws(() => parseLabelSelector('app=-x'), {
      message:
        'unable to parse requirement: values[0][app]: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
    });
  });

  test('gt and lt need an integer', () => {
    assert.throws(() => parseLabelSelector('x>a'), { message: 'unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, the value must be an integer' });
  });

  test('requiresExactMatch reports the single value of =, == and in', () => {
    const sel = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5');
    assert.equal(sel.requiresExactMatch('a'), '1');
    assert.equal(sel.requiresExactMatch('b'), '2');
    assert.equal(sel.requiresExactMatch('c'), undefined);
    assert.equal(sel.requiresExactMatch('d'), undefined);
  });
});

describe('labelSelectorFromObject', () => {
  test('a null selector matches nothing and an empty one everything', () => {
    assert.equal(labelSelectorFromObject(null).matches({ a: 'b' }), false);
    assert.equal(labelSelectorFromObject(null).matchesNothing, true);
    assert.equal(labelSelectorFromObject(undefined).matches({}), false);
    assert.equal(labelSelectorFromObject({}).matches({ a: 'b' }), true);
    assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).isEmpty(), true);
  });

  test('matchLabels and matchExpressions combine into one canonical selector', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { tier: 'web', app: 'nginx' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.equal(sel.toString(), 'app=nginx,!canary,env in (dev,prod),owner,tier=web,zone notin (b)');
    assert.equal(sel.matches({ app: 'nginx', tier: 'web', env: 'prod', owner: 'me' }), true);
    assert.equal(sel.matches({ app: 'nginx', tier: 'web', env: 'prod', owner: 'me', canary: 'x' }), false);
    assert.equal(sel.matches({ app: 'nginx', tier: 'web', env: 'qa', owner: 'me' }), false);
    assert.equal(sel.matches(undefined), false);
  });

  test('invalid operators and value sets fail with upstream messages', () => {
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }), { message: '"Equals" is not a valid label selector operator' });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In' }] }), {
      message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] }), {
      message: 'values: Invalid value: []string{"b"}: values set must be empty for exists and does not exist',
    });
    assert.throws(() => labelSelectorFromObject({ matchLabels: { 'a b': 'c' } }), (e: unknown) => e instanceof Error && e.message.startsWith('key: Invalid value: "a b": name part must consist'));
  });

  test('several errors aggregate in brackets', () => {
    assert.throws(() => newLabelRequirement('-a', 'in', []), (e: unknown) => e instanceof Error && e.message.startsWith('[key: Invalid value: "-a"') && e.message.endsWith("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty]"));
  });

  test('fromSet and add keep requirements sorted', () => {
    assert.equal(LabelSelector.fromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
    assert.equal(LabelSelector.fromSet(null).isEmpty(), true);
    assert.equal(LabelSelector.everything().add(newLabelRequirement('z', 'exists', []), newLabelRequirement('a', '!', [])).toString(), '!a,z');
    assert.equal(LabelSelector.nothing().add(newLabelRequirement('z', 'exists', [])).matches({ z: '' }), false);
  });
});

describe('validation helpers', () => {
  test('qualified names take an optional DNS subdomain prefix', () => {
    assert.deepEqual(isQualifiedName('example.com/my-name'), []);
    assert.deepEqual(isQualifiedName('MyName'), []);
    assert.deepEqual(isQualifiedName('/a'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('a/'), ['name part must be non-empty', `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${nameRegexHint}`]);
    assert.deepEqual(isQualifiedName('Example.com/a'), [
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.equal(isQualifiedName('a/b/c')[0]?.startsWith('a qualified name must consist of'), true);
    assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']);
  });

  test('label values may be empty but not too long or badly formed', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('v1.2_3-x'), []);
    assert.equal(isValidLabelValue('a'.repeat(64))[0], 'must be no more than 63 characters');
    assert.equal(isValidLabelValue('_x').length, 1);
  });
});
