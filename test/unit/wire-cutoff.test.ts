/**
 * decodeMessage on messages cut off inside a record (RFC 1035 §4.1): dns-packet reads octets past the
 * end as garbage instead of failing, so the facade must report them as malformed, never as data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, MalformedMessage, type Record } from '../../src/wire/index.js';

const whole = encodeMessage({
  id: 7, type: 'response', flags: 0x8400,
  questions: [{ name: 'www.test', type: 'A', class: 'IN' }],
  answers: [{ name: 'www.test', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' } as Record],
});

test('a message cut inside an answer is malformed, at every cut point', () => {
  const questionEnd = 12 + 'www.test'.length + 2 + 4;
  for (let len = questionEnd + 1; len < whole.length; len++) {
    assert.ok(decodeMessage(whole.subarray(0, len)) instanceof MalformedMessage, `cut at ${len} of ${whole.length}`);
  }
});

test('the whole message decodes, and trailing octets are ignored', () => {
  const full = decodeMessage(whole);
  assert.ok(!(full instanceof MalformedMessage));
  assert.equal((full.answers[0] as { data?: unknown }).data, '192.0.2.1');
  assert.ok(!(decodeMessage(Buffer.concat([whole, Buffer.from([0, 0])])) instanceof MalformedMessage));
});

test('a malformed message is a plain value with its reason, not an Error with a stack trace per packet', () => {
  for (const garbage of [Buffer.alloc(5), whole.subarray(0, whole.length - 2)]) {
    const m = decodeMessage(garbage);
    assert.ok(m instanceof MalformedMessage);
    assert.ok(!(m instanceof Error), 'no Error: nothing captures a stack');
    assert.equal('stack' in m, false);
    assert.match(m.message, /^malformed DNS message: /);
    assert.equal(String(m), m.message);
  }
});
