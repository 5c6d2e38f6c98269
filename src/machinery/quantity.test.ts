import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newMilliQuantity, newQuantity, newScaledQuantity, parseQuantity, Quantity, quantityErrors, quantityFromJSON, type QuantityFormat } from './quantity.js';

/** upstream's decQuantity(i, exponent, format): i × 10^exponent */
const dec = (i: bigint | number, exponent: number, format: QuantityFormat): Quantity => Quantity.of(BigInt(i), exponent, format);
const maxAllowed = 2n ** 63n - 1n;

describe('parseQuantity', () => {
  // upstream TestQuantityParse
  const table: Array<[string, Quantity]> = [
    ['0', dec(0, 0, 'DecimalSI')],
    ['0n', dec(0, 0, 'DecimalSI')],
    ['0u', dec(0, 0, 'DecimalSI')],
    ['0m', dec(0, 0, 'DecimalSI')],
    ['0Ki', dec(0, 0, 'BinarySI')],
    ['0k', dec(0, 0, 'DecimalSI')],
    ['0Mi', dec(0, 0, 'BinarySI')],
    ['0M', dec(0, 0, 'DecimalSI')],
    ['0Gi', dec(0, 0, 'BinarySI')],
    ['0G', dec(0, 0, 'DecimalSI')],
    ['0Ti', dec(0, 0, 'BinarySI')],
    ['0T', dec(0, 0, 'DecimalSI')],
    ['1', dec(1, 0, 'DecimalSI')],
    ['1Ki', dec(1024, 0, 'BinarySI')],
    ['8Ki', dec(8 * 1024, 0, 'BinarySI')],
    ['7Mi', dec(7 * 1024 * 1024, 0, 'BinarySI')],
    ['6Gi', dec(6n * 1024n ** 3n, 0, 'BinarySI')],
    ['5Ti', dec(5n * 1024n ** 4n, 0, 'BinarySI')],
    ['4Pi', dec(4n * 1024n ** 5n, 0, 'BinarySI')],
    ['3Ei', dec(3n * 1024n ** 6n, 0, 'BinarySI')],
    ['10Ti', dec(10n * 1024n ** 4n, 0, 'BinarySI')],
    ['100Ti', dec(100n * 1024n ** 4n, 0, 'BinarySI')],
    ['5n', dec(5, -9, 'DecimalSI')],
    ['4u', dec(4, -6, 'DecimalSI')],
    ['3m', dec(3, -3, 'DecimalSI')],
    ['9', dec(9, 0, 'DecimalSI')],
    ['8k', dec(8, 3, 'DecimalSI')],
    ['50k', dec(5, 4, 'DecimalSI')],
    ['7M', dec(7, 6, 'DecimalSI')],
    ['6G', dec(6, 9, 'DecimalSI')],
    ['5T', dec(5, 12, 'DecimalSI')],
    ['40T', dec(4, 13, 'DecimalSI')],
    ['300T', dec(3, 14, 'DecimalSI')],
    ['2P', dec(2, 15, 'DecimalSI')],
    ['1E', dec(1, 18, 'DecimalSI')],
    ['1E-3', dec(1, -3, 'DecimalExponent')],
    ['1e3', dec(1, 3, 'DecimalExponent')],
    ['1E6', dec(1, 6, 'DecimalExponent')],
    ['1e9', dec(1, 9, 'DecimalExponent')],
    ['1E12', dec(1, 12, 'DecimalExponent')],
    ['1e15', dec(1, 15, 'DecimalExponent')],
    ['1E18', dec(1, 18, 'DecimalExponent')],
    ['1e14', dec(1, 14, 'DecimalExponent')],
    ['1e13', dec(1, 13, 'DecimalExponent')],
    ['100.035k', dec(100035, 0, 'DecimalSI')],
    ['0.001', dec(1, -3, 'DecimalSI')],
    ['0.0005k', dec(5, -1, 'DecimalSI')],
    ['0.005', dec(5, -3, 'DecimalSI')],
    ['0.05', dec(5, -2, 'DecimalSI')],
    ['0.5', dec(5, -1, 'DecimalSI')],
    ['0.00050k', dec(5, -1, 'DecimalSI')],
    ['0.00500', dec(5, -3, 'DecimalSI')],
    ['0.05000', dec(5, -2, 'DecimalSI')],
    ['0.50000', dec(5, -1, 'DecimalSI')],
    ['0.5e0', dec(5, -1, 'DecimalExponent')],
    ['0.5e-1', dec(5, -2, 'DecimalExponent')],
    ['0.5e-2', dec(5, -3, 'DecimalExponent')],
    ['10.035M', dec(10035, 3, 'DecimalSI')],
    ['1.2e3', dec(12, 2, 'DecimalExponent')],
    ['1.3E+6', dec(13, 5, 'DecimalExponent')],
    ['1.40e9', dec(14, 8, 'DecimalExponent')],
    ['1.53E12', dec(153, 10, 'DecimalExponent')],
    ['1.6e15', dec(16, 14, 'DecimalExponent')],
    ['1.7E18', dec(17, 17, 'DecimalExponent')],
    ['9.01', dec(901, -2, 'DecimalSI')],
    ['8.1k', dec(81, 2, 'DecimalSI')],
    ['7.123456M', dec(7123456, 0, 'DecimalSI')],
    ['6.987654321G', dec(6987654321, 0, 'DecimalSI')],
    ['5.444T', dec(5444, 9, 'DecimalSI')],
    ['40.1T', dec(401, 11, 'DecimalSI')],
    ['300.2T', dec(3002, 11, 'DecimalSI')],
    ['2.5P', dec(25, 14, 'DecimalSI')],
    ['1.01E', dec(101, 16, 'DecimalSI')],
    ['3.001n', dec(4, -9, 'DecimalSI')],
    ['1.1E-9', dec(2, -9, 'DecimalExponent')],
    ['0.0000000001', dec(1, -9, 'DecimalSI')],
    ['0.0000000005', dec(1, -9, 'DecimalSI')],
    ['0.00000000050', dec(1, -9, 'DecimalSI')],
    ['0.5e-9', dec(1, -9, 'DecimalExponent')],
    ['0.9n', dec(1, -9, 'DecimalSI')],
    ['0.00000012345', dec(124, -9, 'DecimalSI')],
    ['0.00000012354', dec(124, -9, 'DecimalSI')],
    ['9Ei', dec(maxAllowed, 0, 'BinarySI')],
    ['9223372036854775807Ki', dec(maxAllowed, 0, 'BinarySI')],
    ['12E', dec(12, 18, 'DecimalSI')],
    ['100.035Ki', dec(10243584, -2, 'BinarySI')],
    ['0.5Mi', dec(0.5 * 1024 * 1024, 0, 'BinarySI')],
    ['0.05Gi', dec(536870912, -1, 'BinarySI')],
    ['0.025Ti', dec(274877906944, -1, 'BinarySI')],
    ['0.000000000001Ki', dec(2, -9, 'DecimalSI')],
    ['.001', dec(1, -3, 'DecimalSI')],
    ['.0001k', dec(100, -3, 'DecimalSI')],
    ['1.', dec(1, 0, 'DecimalSI')],
    ['1.G', dec(1, 9, 'DecimalSI')],
  ];

  test('parses upstream TestQuantityParse cases to the same value and format', () => {
    for (const [input, want] of table) {
      const got = parseQuantity(input);
      assert.equal(got.cmp(want), 0, `${input}: ${got.toString()} vs ${want.toString()}`);
      assert.equal(got.format, want.format, input);
    }
  });

  test('parses the negative and explicitly positive forms too', () => {
    for (const [input, want] of table) {
      const neg = parseQuantity(`-${input}`);
      assert.equal(neg.cmp(want.neg()), 0, `-${input}`);
      assert.equal(neg.format, want.format, `-${input}`);
      assert.equal(parseQuantity(`+${input}`).cmp(want), 0, `+${input}`);
    }
  });

  test('rejects what upstream rejects, with its messages', () => {
    for (const s of ['1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 ', '']) {
      assert.throws(() => parseQuantity(s), Error, JSON.stringify(s));
    }
    assert.throws(() => parseQuantity('1.1.M'), { message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" });
    assert.throws(() => parseQuantity(''), { message: quantityErrors.formatWrong });
    assert.throws(() => parseQuantity('0.1mi'), { message: "unable to parse quantity's suffix" });
    assert.throws(() => parseQuantity('1Ki2'), { message: quantityErrors.suffix });
    assert.throws(() => parseQuantity('1Ki2x'), { message: quantityErrors.formatWrong });
  });

  test('a short mantissa keeps its exponent as written, however large (upstream fast path)', () => {
    const q = parseQuantity('1e100000000');
    assert.equal(q.toString(), '10e99999999');
    assert.equal(q.cmp(parseQuantity('1Ei')), 1);
    assert.equal(q.value(), 2n ** 63n - 1n);
  });

  test('caps huge values at 2^63-1 and rounds tiny ones up to 1n', () => {
    assert.equal(parseQuantity('100000000000000000000').toString(), '9223372036854775807');
    assert.equal(parseQuantity('1.5e-100000000').toString(), '1e-9');
    assert.equal(parseQuantity('1.5Ei').toString(), '1536Pi');
    assert.equal(parseQuantity('100Ei').toString(), '9223372036854775807');
    assert.equal(parseQuantity('0.0000000000001').toString(), '1n');
    assert.equal(parseQuantity('-1e-100000000').toString(), '-1e-9');
  });
});

describe('Quantity.toString', () => {
  test('prints upstream TestQuantityString cases, and parsing the canonical form keeps it', () => {
    const table: Array<[Quantity, string, string]> = [
      [dec(1024 * 1024 * 1024, 0, 'BinarySI'), '1Gi', '1024Mi'],
      [dec(300 * 1024 * 1024, 0, 'BinarySI'), '300Mi', '307200Ki'],
      [dec(6 * 1024, 0, 'BinarySI'), '6Ki', ''],
      [dec(1001n * 1024n ** 3n, 0, 'BinarySI'), '1001Gi', '1025024Mi'],
      [dec(1024n ** 4n, 0, 'BinarySI'), '1Ti', '1024Gi'],
      [dec(5, 0, 'BinarySI'), '5', '5000m'],
      [dec(500, -3, 'BinarySI'), '500m', '0.5'],
      [dec(1, 9, 'DecimalSI'), '1G', '1000M'],
      [dec(1000, 6, 'DecimalSI'), '1G', '0.001T'],
      [dec(1000000, 3, 'DecimalSI'), '1G', ''],
      [dec(1000000000, 0, 'DecimalSI'), '1G', ''],
      [dec(1, -3, 'DecimalSI'), '1m', '1000u'],
      [dec(80, -3, 'DecimalSI'), '80m', ''],
      [dec(1080, -3, 'DecimalSI'), '1080m', '1.08'],
      [dec(108, -2, 'DecimalSI'), '1080m', '1080000000n'],
      [dec(10800, -4, 'DecimalSI'), '1080m', ''],
      [dec(300, 6, 'DecimalSI'), '300M', ''],
      [dec(1, 12, 'DecimalSI'), '1T', ''],
      [dec(1, 18, 'DecimalSI'), '1E', ''],
      [dec(1, 21, 'DecimalSI'), '1e21', '1000E'],
      [dec(1234567, 6, 'DecimalSI'), '1234567M', ''],
      [dec(1234567, -3, 'BinarySI'), '1234567m', ''],
      [dec(3, 3, 'DecimalSI'), '3k', ''],
      [dec(1025, 0, 'BinarySI'), '1025', ''],
      [dec(0, 0, 'DecimalSI'), '0', ''],
      [dec(0, 0, 'BinarySI'), '0', ''],
      [dec(1, 9, 'DecimalExponent'), '1e9', '.001e12'],
      [dec(1, -3, 'DecimalExponent'), '1e-3', '0.001e0'],
      [dec(1, -9, 'DecimalExponent'), '1e-9', '1000e-12'],
      [dec(80, -3, 'DecimalExponent'), '80e-3', ''],
      [dec(300, 6, 'DecimalExponent'), '300e6', ''],
      [dec(1, 12, 'DecimalExponent'), '1e12', ''],
      [dec(1, 3, 'DecimalExponent'), '1e3', ''],
      [dec(3, 3, 'DecimalExponent'), '3e3', ''],
      [dec(0, 0, 'DecimalExponent'), '0', '00'],
      [dec(1, -9, 'DecimalSI'), '1n', ''],
      [dec(80, -9, 'DecimalSI'), '80n', ''],
      [dec(1080, -9, 'DecimalSI'), '1080n', ''],
      [dec(108, -8, 'DecimalSI'), '1080n', ''],
      [dec(10800, -10, 'DecimalSI'), '1080n', ''],
      [dec(1, -6, 'DecimalSI'), '1u', ''],
      [dec(80, -6, 'DecimalSI'), '80u', ''],
      [dec(1080, -6, 'DecimalSI'), '1080u', ''],
    ];
    for (const [q, want, alternate] of table) {
      assert.equal(q.toString(), want);
      assert.equal(parseQuantity(want).toString(), want);
      if (alternate !== '') assert.equal(parseQuantity(alternate).toString(), want, alternate);
      if (!q.isZero()) assert.equal(q.neg().toString(), `-${want}`);
    }
  });

  test('round-trips upstream TestQuantityParseEmit cases', () => {
    const table: Array<[string, string]> = [
      ['1Ki', '1Ki'],
      ['1Mi', '1Mi'],
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['1000M', '1G'],
      ['.001Ki', '1024m'],
      ['.000001Ki', '1024u'],
      ['.000000001Ki', '1024n'],
      ['.000000000001Ki', '2n'],
      ['1536Mi', '1536Mi'],
      ['1500m', '1500m'],
      ['1.5', '1500m'],
      ['0.5', '500m'],
      ['1e3', '1e3'],
      ['1000', '1k'],
    ];
    for (const [input, want] of table) {
      assert.equal(parseQuantity(input).toString(), want, input);
      assert.equal(parseQuantity(`-${input}`).toString(), `-${want}`, `-${input}`);
    }
  });

  test('keeps an input already in canonical form as it was, sign included', () => {
    assert.equal(parseQuantity('+1').toString(), '+1');
    assert.equal(parseQuantity('3Ki').toString(), '3Ki');
    assert.equal(JSON.stringify({ cpu: parseQuantity('100m') }), '{"cpu":"100m"}');
  });
});

describe('Quantity arithmetic', () => {
  test('compares like upstream TestQuantityCmp', () => {
    const table: Array<[string, string, number]> = [
      ['0', '0', 0],
      ['100m', '50m', 1],
      ['50m', '100m', -1],
      ['10000T', '100Gi', 1],
      ['1Gi', '1024Mi', 0],
    ];
    for (const [x, y, want] of table) assert.equal(parseQuantity(x).cmp(parseQuantity(y)), want, `${x} vs ${y}`);
  });

  test('adding to or subtracting from zero keeps the other suffix', () => {
    for (const v of ['100m', '1Gi']) {
      const q = parseQuantity(v);
      const zero = parseQuantity('0');
      assert.equal(q.add(zero).toString(), v);
      assert.equal(zero.add(q).toString(), v);
      assert.equal(q.sub(zero).toString(), v);
      assert.equal(zero.sub(q).toString(), q.neg().toString());
    }
    assert.equal(parseQuantity('1Gi').add(parseQuantity('512Mi')).toString(), '1536Mi');
    assert.equal(parseQuantity('1').sub(parseQuantity('250m')).toString(), '750m');
    assert.equal(newQuantity(901, 'DecimalSI').withFormat('DecimalSI').neg().toString(), '-901');
  });

  test('value and milliValue round up', () => {
    assert.equal(parseQuantity('1500m').value(), 2n);
    assert.equal(parseQuantity('1500m').milliValue(), 1500n);
    assert.equal(parseQuantity('1n').milliValue(), 1n);
    assert.equal(parseQuantity('2Gi').value(), 2147483648n);
    assert.equal(parseQuantity('-1500m').value(), -2n);
    assert.equal(parseQuantity('0').sign(), 0);
    assert.equal(parseQuantity('-1').sign(), -1);
    assert.equal(parseQuantity('0.000').isZero(), true);
  });

  test('builds quantities like upstream TestNewSet, TestMilliNewSet and TestNewScaledSet', () => {
    assert.equal(newQuantity(1000, 'DecimalSI').toString(), '1k');
    assert.equal(newQuantity(1234000, 'DecimalSI').toString(), '1234k');
    assert.equal(newQuantity(1024, 'BinarySI').toString(), '1Ki');
    assert.equal(newQuantity(1000000, 'DecimalExponent').toString(), '1e6');
    assert.equal(newMilliQuantity(1, 'DecimalSI').toString(), '1m');
    assert.equal(newMilliQuantity(1234000, 'DecimalSI').toString(), '1234');
    assert.equal(newMilliQuantity(1024, 'BinarySI').toString(), '1024m');
    assert.equal(newMilliQuantity(1024 * 1024, 'BinarySI').toString(), '1048576m');
    assert.equal(newScaledQuantity(1000, -9).toString(), '1u');
    assert.equal(newScaledQuantity(1, -6).toString(), '1u');
  });

  test('reads JSON strings, numbers and null', () => {
    assert.equal(quantityFromJSON(' 1').toString(), '1');
    assert.equal(quantityFromJSON(-1).toString(), '-1');
    assert.equal(quantityFromJSON(10).toString(), '10');
    assert.equal(quantityFromJSON(null).isZero(), true);
    assert.throws(() => quantityFromJSON({}), { message: quantityErrors.formatWrong });
  });
});
