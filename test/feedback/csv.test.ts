// CSV manifests and exports: quoting round-trips, and rater free text cannot become a
// spreadsheet formula in the admin's export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, formatCsv, parseCsv, parseCsvRecords } from '../../src/feedback/csv.js';

test('parse: quotes, escaped quotes, commas and newlines in fields, CRLF, BOM, blank lines', () => {
  const text = '\ufeffpath,condition,note\r\na.png,neutrophil,"x, ""y""\nz"\r\n\r\nb.png,lymphocyte,\n';
  assert.deepEqual(parseCsv(text), [
    ['path', 'condition', 'note'],
    ['a.png', 'neutrophil', 'x, "y"\nz'],
    ['b.png', 'lymphocyte', ''],
  ]);
  assert.deepEqual(parseCsvRecords(text).records[1], { path: 'b.png', condition: 'lymphocyte', note: '' });
});

test('format → parse round-trips, numbers stay numbers, formulas are defused', () => {
  const rows = [
    [1, 'plain', 'with, comma', 'with "quote"', 'multi\nline', -0.5, null],
    [2, '=HYPERLINK("http://x")', '+1+1', '@SUM(A1)', '-cmd', '-3', ''],
  ];
  const text = formatCsv(['a', 'b', 'c', 'd', 'e', 'f', 'g'], rows);
  const back = parseCsv(text);
  assert.deepEqual(back[1], ['1', 'plain', 'with, comma', 'with "quote"', 'multi\nline', '-0.5', '']);
  assert.deepEqual(back[2], ['2', `'=HYPERLINK("http://x")`, "'+1+1", "'@SUM(A1)", "'-cmd", '-3', '']);
  assert.equal(csvField({ model: 'x' }), '"{""model"":""x""}"');
});
