import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, frame } from '../../src/wire/index.js';

const msg = (n: number, fill: number) => Buffer.alloc(n, fill);

test('frame prefixes the length', () => {
  const f = frame(msg(20, 7));
  assert.equal(f.readUInt16BE(0), 20);
  assert.equal(f.length, 22);
});

test('coalesced frames in one chunk come out whole and in order', () => {
  const d = new FrameDecoder();
  const r = d.push(Buffer.concat([frame(msg(12, 1)), frame(msg(30, 2)), frame(msg(13, 3))]));
  assert.deepEqual(r.frames.map((f) => [f.length, f[0]]), [[12, 1], [30, 2], [13, 3]]);
  assert.equal(d.buffered, 0);
});

test('any split of a stream gives the same frames as the whole (property)', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 12, max: 600 }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }),
    (sizes, cuts) => {
      const whole = Buffer.concat(sizes.map((n, i) => frame(msg(n, i))));
      const d = new FrameDecoder();
      const got: Buffer[] = [];
      let off = 0;
      for (let i = 0; off < whole.length; i++) {
        const step = cuts[i % cuts.length];
        const r = d.push(whole.subarray(off, off + step));
        assert.equal(r.error, undefined);
        got.push(...r.frames);
        off += step;
      }
      assert.deepEqual(got.map((f) => f.length), sizes);
      got.forEach((f, i) => assert.ok(f.every((b) => b === (i & 0xff))));
    },
  ));
});

test('a length over the limit or under a header is an error', () => {
  assert.equal(new FrameDecoder(512).push(Buffer.from([0x02, 0x01])).error, 'too-large');
  assert.equal(new FrameDecoder().push(Buffer.from([0x00, 0x05, 1, 2, 3, 4, 5])).error, 'too-small');
});
