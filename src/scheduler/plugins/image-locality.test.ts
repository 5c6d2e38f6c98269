import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../framework.js';
import { makeNode, makePod, runScore } from '../test-objects.js';
import { imageLocalityScore, normalizedImageName } from './image-locality.js';

const mb = 1024 * 1024;

describe('ImageLocality', () => {
  test('an untagged image name means :latest', () => {
    assert.equal(normalizedImageName('nginx'), 'nginx:latest');
    assert.equal(normalizedImageName('registry:5000/nginx'), 'registry:5000/nginx:latest');
    assert.equal(normalizedImageName('nginx:1.7.9'), 'nginx:1.7.9');
  });

  test('nodes with the image score by its size scaled by how many nodes have it', () => {
    const image = { names: ['nginx:1.7.9'], sizeBytes: 500 * mb };
    const snap = buildSnapshot([makeNode('has-it', { images: [image] }), makeNode('also', { images: [image] }), makeNode('none')], []);
    assert.deepEqual(runScore(imageLocalityScore, makePod('web', { image: 'nginx:1.7.9' }), snap), { 'has-it': 31, also: 31, none: 0 });
  });

  test('images below the 23 MiB threshold do not count', () => {
    const snap = buildSnapshot([makeNode('small', { images: [{ names: ['busybox:latest'], sizeBytes: 5 * mb }] }), makeNode('none')], []);
    assert.deepEqual(runScore(imageLocalityScore, makePod('sh', { image: 'busybox' }), snap), { small: 0, none: 0 });
  });
});
