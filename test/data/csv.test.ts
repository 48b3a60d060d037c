// The RFC 4180 reader: quoting, embedded separators and newlines, line numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvSyntaxError, parseCsv } from '../../src/data/csv.js';

describe('parseCsv', () => {
  it('splits plain records and keeps empty fields', () => {
    const r = parseCsv('path,label\na.png,x\nb.png,\n');
    assert.deepEqual(
      r.map((x) => x.fields),
      [['path', 'label'], ['a.png', 'x'], ['b.png', '']],
    );
  });

  it('handles quoted commas, doubled quotes and embedded newlines, with start lines', () => {
    const text = '\ufeffpath,report\r\n"a,1.png","He said ""fine"", then\r\nleft"\r\n\r\nb.png,"two\nlines\nhere"\nc.png,plain';
    const r = parseCsv(text);
    assert.deepEqual(
      r.map((x) => x.fields),
      [['path', 'report'], ['a,1.png', 'He said "fine", then\r\nleft'], ['b.png', 'two\nlines\nhere'], ['c.png', 'plain']],
    );
    assert.deepEqual(
      r.map((x) => x.line),
      [1, 2, 5, 8],
    );
  });

  it('an unterminated quote or text after a closing quote is a CsvSyntaxError with its line', () => {
    assert.throws(() => parseCsv('a,b\nc,"open\nmore'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /unterminated/.test(e.message));
    assert.throws(() => parseCsv('a,b\n"x"y,z'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2);
  });

  it('accepts lone CR line ends and a custom delimiter', () => {
    assert.deepEqual(
      parseCsv('a;b\rc;"d;e"', ';').map((x) => x.fields),
      [['a', 'b'], ['c', 'd;e']],
    );
  });
});
