import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../machinery/quantity.js';
import {
  addLists,
  lessThanOrEqual,
  listsEqual,
  maskList,
  negativeNames,
  prettyPrintList,
  removeZeros,
  resourceListFromJSON,
  resourceListToJSON,
  subtractLists,
  subtractListsNonNegative,
  zeroQuantity,
} from './resource-list.js';

const list = (o: Record<string, string>) => resourceListFromJSON(o);

describe('resource lists', () => {
  test('adding keeps the suffix of the first non-zero operand, as status.used prints it', () => {
    const used = new Map([['memory', zeroQuantity()], ['cpu', zeroQuantity()], ['pods', zeroQuantity()]]);
    const sum = addLists(addLists(used, list({ memory: '1Gi', cpu: '250m', pods: '1' })), list({ memory: '512Mi', cpu: '250m', pods: '1' }));
    assert.deepEqual(resourceListToJSON(sum), { cpu: '500m', memory: '1536Mi', pods: '2' });
  });

  test('a zero sum prints as "0"', () => {
    assert.deepEqual(resourceListToJSON(new Map([['pods', zeroQuantity()]])), { pods: '0' });
  });

  test('subtracting negates names only on the right, and the non-negative form floors at zero', () => {
    assert.deepEqual(resourceListToJSON(subtractLists(list({ a: '3' }), list({ a: '1', b: '2' }))), { a: '2', b: '-2' });
    assert.deepEqual(resourceListToJSON(subtractListsNonNegative(list({ a: '1', c: '5' }), list({ a: '3', b: '2' }))), { a: '0', b: '0', c: '5' });
  });

  test('less-than-or-equal reports the names of a that exceed b, ignoring names a lacks', () => {
    assert.deepEqual(lessThanOrEqual(list({ pods: '5', cpu: '1' }), list({ pods: '4', cpu: '2', memory: '1Gi' })), { allowed: false, exceeded: ['pods'] });
    assert.deepEqual(lessThanOrEqual(list({ pods: '4' }), list({ pods: '4' })), { allowed: true, exceeded: [] });
  });

  test('equality compares values, not how they are written', () => {
    assert.ok(listsEqual(list({ cpu: '1', memory: '1024Mi' }), list({ cpu: '1000m', memory: '1Gi' })));
    assert.ok(!listsEqual(list({ cpu: '1' }), list({ cpu: '1', pods: '0' })));
  });

  test('mask, removeZeros and negativeNames select by name and value', () => {
    assert.deepEqual([...maskList(list({ a: '1', b: '2' }), ['b', 'c']).keys()], ['b']);
    assert.deepEqual([...removeZeros(list({ a: '0', b: '2' })).keys()], ['b']);
    assert.deepEqual(negativeNames(new Map([['a', parseQuantity('-1')], ['b', parseQuantity('1')]])), ['a']);
  });

  test('prettyPrint sorts by name and joins name=value with commas', () => {
    assert.equal(prettyPrintList(list({ pods: '1', 'limits.cpu': '500m' })), 'limits.cpu=500m,pods=1');
  });
});
