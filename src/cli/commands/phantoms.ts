// `medloop phantoms`: writes a procedural phantom data set (blood cells or chest
// X-rays) in the layout of the real ones, optionally as deliberately broken variants.
import { type Command, numberOption, stringOption, UsageError } from '../command.js';
import { Progress } from '../progress.js';
import { CELL_LABELS, type CellLabel, isCellLabel, type PhantomKind, writePhantomDataset } from '../../data/phantoms/index.js';

export const phantomsCommand: Command = {
  path: ['phantoms'],
  summary: 'Write a procedural phantom data set (blood cells or chest X-rays) with known truth',
  options: {
    kind: { type: 'string', description: 'cells | cxr' },
    n: { type: 'string', description: 'number of images', default: '2000' },
    size: { type: 'string', description: 'image width = height in pixels (32 or 64 like the real sets)', default: '64' },
    seed: { type: 'string', description: 'random seed (the same seed writes the same images)', default: '1' },
    out: { type: 'string', description: 'output folder' },
    broken: { type: 'boolean', description: 'write deliberately broken variants (each violates one named criterion)' },
    labels: { type: 'string', description: `cells only: comma-separated classes (default all: ${CELL_LABELS.join(',')})` },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  async run(opts) {
    const kind = stringOption(opts, 'kind', true);
    if (kind !== 'cells' && kind !== 'cxr') throw new UsageError(`--kind must be cells or cxr, got '${kind}'`);
    const out = stringOption(opts, 'out', true);
    const n = numberOption(opts, 'n', 2000);
    const size = numberOption(opts, 'size', 64);
    const seed = numberOption(opts, 'seed', 1);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--n must be a positive whole number, got ${n}`);
    if (!Number.isInteger(size) || size < 16 || size > 512) throw new UsageError(`--size must be a whole number in 16..512, got ${size}`);
    let labels: CellLabel[] | undefined;
    const labelText = stringOption(opts, 'labels');
    if (labelText !== undefined) {
      if (kind !== 'cells') throw new UsageError('--labels applies to --kind cells only');
      const names = labelText.split(',').map((l) => l.trim().toLowerCase());
      for (const l of names) if (!isCellLabel(l)) throw new UsageError(`--labels: unknown class '${l}' (known: ${CELL_LABELS.join(', ')})`);
      labels = names as CellLabel[];
    }
    const progress = new Progress({ label: `phantoms ${kind}${opts.broken ? ' (broken)' : ''}`, total: n, silent: Boolean(opts.json) });
    const summary = writePhantomDataset({
      kind: kind as PhantomKind,
      n,
      size,
      seed,
      out,
      broken: Boolean(opts.broken),
      ...(labels ? { labels } : {}),
      onProgress: (done) => progress.set(done),
    });
    if (opts.json) console.log(JSON.stringify(summary));
    else {
      console.log(`wrote ${summary.images} ${kind} phantoms (${size}×${size}) to ${summary.out} in ${summary.seconds.toFixed(1)} s; manifest ${summary.csv}`);
      const top = Object.entries(summary.counts).sort((a, b) => b[1] - a[1]).slice(0, 12);
      for (const [k, v] of top) console.log(`  ${k.padEnd(48)} ${v}`);
      if (Object.keys(summary.counts).length > top.length) console.log(`  … ${Object.keys(summary.counts).length - top.length} more`);
    }
    return 0;
  },
};
