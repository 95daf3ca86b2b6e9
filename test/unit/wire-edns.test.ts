import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeMessage, encodeMessage, padEncoded, findOpt, findOption, keepaliveOption, makeOpt, edeOption, readEde,
  OPTION, RESPONSE_PADDING_BLOCK, QUERY_PADDING_BLOCK, MalformedMessage, peekQuestion, type Message,
} from '../../src/wire/index.js';

function query(name: string, opt = makeOpt(1232, true)): Message {
  return {
    type: 'query', id: 4242, flags: 0x0100, questions: [{ name, type: 'A', class: 'IN' }],
    answers: [], authorities: [], additionals: [opt as never],
  } as Message;
}

test('padding brings messages to a multiple of the block (RFC 8467 §4.1)', () => {
  for (const name of ['a.test', 'a-much-longer-name.with.several.labels.example.test', 'x'.repeat(63) + '.test']) {
    for (const block of [QUERY_PADDING_BLOCK, RESPONSE_PADDING_BLOCK]) {
      const m = query(name);
      const bytes = padEncoded(encodeMessage(m), block);
      assert.equal(bytes.length % block, 0, `${name} block ${block} gave ${bytes.length}`);
      const back = decodeMessage(bytes) as Message;
      assert.ok(findOption(findOpt(back), OPTION.PADDING), 'padding option present');
    }
  }
});

test('a message without an OPT record at the end is left as it is', () => {
  const m = query('a.test');
  m.additionals = [];
  const bare = encodeMessage(m);
  assert.equal(padEncoded(bare, QUERY_PADDING_BLOCK), bare);
});

test('padding is dropped rather than exceeding the size cap', () => {
  const m = query('a.test');
  const bytes = padEncoded(encodeMessage(m), RESPONSE_PADDING_BLOCK, 100);
  assert.ok(bytes.length < 100);
  assert.equal(findOption(findOpt(decodeMessage(bytes) as Message), OPTION.PADDING), undefined);
});

test('keepalive and EDE options round-trip', () => {
  const m = query('a.test', makeOpt(1232, false, [keepaliveOption(30_000), edeOption(22, 'no reachable authority')]));
  const back = decodeMessage(encodeMessage(m)) as Message;
  const opt = findOpt(back);
  assert.equal(findOption(opt, OPTION.KEEPALIVE)?.timeout, 300);
  assert.deepEqual(readEde(findOption(opt, OPTION.EDE)!), { infoCode: 22, extraText: 'no reachable authority' });
});

test('decode never throws on garbage and peekQuestion rejects it', () => {
  for (let i = 0; i < 2000; i++) {
    const junk = Buffer.from(Array.from({ length: i % 80 }, (_, k) => (k * 37 + i * 11) & 0xff));
    const r = decodeMessage(junk);
    assert.ok(r instanceof MalformedMessage || typeof r === 'object');
    peekQuestion(junk);
  }
});

test('peekQuestion reads the name with its case', () => {
  const m = query('WwW.ExAmple.TEST');
  const q = peekQuestion(encodeMessage(m));
  assert.deepEqual(q && { name: q.name, type: q.type, class: q.class }, { name: 'WwW.ExAmple.TEST', type: 1, class: 1 });
});
