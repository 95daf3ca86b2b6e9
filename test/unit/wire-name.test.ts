import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeName, isSubdomain, parentName, labelCount, fqdn, nameEquals } from '../../src/wire/index.js';

test('normalizeName lower-cases and maps the root to the empty name', () => {
  assert.equal(normalizeName('WWW.Example.TEST.'), 'www.example.test');
  assert.equal(normalizeName('.'), '');
  assert.equal(normalizeName(''), '');
});

test('isSubdomain works on label boundaries', () => {
  assert.ok(isSubdomain('a.example.test', 'example.test'));
  assert.ok(isSubdomain('example.test', 'example.test'));
  assert.ok(isSubdomain('anything', ''));
  assert.ok(!isSubdomain('badexample.test', 'example.test'));
  assert.ok(!isSubdomain('test', 'example.test'));
});

test('parents, label counts and fqdn', () => {
  assert.equal(parentName('a.b.c'), 'b.c');
  assert.equal(parentName('c'), '');
  assert.equal(parentName(''), undefined);
  assert.equal(labelCount(''), 0);
  assert.equal(labelCount('a.b.c'), 3);
  assert.equal(fqdn(''), '.');
  assert.equal(fqdn('a.b'), 'a.b.');
  assert.ok(nameEquals('A.b.', 'a.B'));
});
