// Candidate pools of "generated-like" blood cells built from the real procedural phantoms
// (src/data/phantoms), for benchmarks of expert rating: valid phantoms, deliberately
// broken ones (every broken kind that applies to the chosen classes) and valid cells
// stated under the wrong class (a conditional generator's other failure). Truth is the
// exact pixel oracle; rasters are cached on disk because rendering (~30 ms a cell) and
// judging (~20 ms) would otherwise dominate short runs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CellLabel, brokenCellPhantom, cellPhantom, makeOracleJudge } from '../src/data/phantoms/index.js';
import { deriveSeed, seededRandom } from '../src/data/random.js';
import { type Raster, createRaster } from '../src/data/raster.js';

export const POOL_CLASSES: readonly CellLabel[] = ['eosinophil', 'lymphocyte', 'monocyte', 'neutrophil'];

export interface PoolMix {
  /** Shares of broken phantoms and of valid cells stated under another class; the rest are valid. */
  broken: number;
  offClass: number;
}
export const DEFAULT_MIX: PoolMix = { broken: 0.4, offClass: 0.1 };

export interface PoolItem {
  id: string;
  image: Raster;
  /** The class the image was "generated for". */
  condition: string;
  /** 'valid', 'off-class' or the broken kind's name. */
  kind: string;
  /** The exact oracle's verdict on (image, condition). */
  plausible: boolean;
}

export interface PoolOptions {
  size: number;
  seed: number;
  classes?: readonly CellLabel[];
  mix?: PoolMix;
  /** Folder for cached renders (none: always render). */
  cacheDir?: string;
}

function render(n: number, o: Required<Omit<PoolOptions, 'cacheDir'>>): PoolItem[] {
  const judge = makeOracleJudge('cells');
  const r = seededRandom(deriveSeed(o.seed, 'pool-kinds'));
  const stream = { size: o.size, labels: o.classes };
  let [v, b, w] = [0, 0, 0];
  return Array.from({ length: n }, (_, i) => {
    const u = r();
    let item: Omit<PoolItem, 'plausible'>;
    if (u < o.mix.broken) {
      const p = brokenCellPhantom(b++, { ...stream, seed: deriveSeed(o.seed, 'broken') });
      item = { id: `p${o.seed}-${i}`, image: p.image, condition: p.label, kind: p.kind };
    } else if (u < o.mix.broken + o.mix.offClass) {
      const p = cellPhantom(w++, { ...stream, seed: deriveSeed(o.seed, 'off-class') });
      const others = o.classes.filter((c) => c !== p.label);
      item = { id: `p${o.seed}-${i}`, image: p.image, condition: others[Math.floor(r() * others.length)]!, kind: 'off-class' };
    } else {
      const p = cellPhantom(v++, { ...stream, seed: deriveSeed(o.seed, 'valid') });
      item = { id: `p${o.seed}-${i}`, image: p.image, condition: p.label, kind: 'valid' };
    }
    return { ...item, plausible: judge(item.image, item.condition).plausible };
  });
}

/** `n` candidates, item order and content fixed by (seed, size, classes, mix). */
export function phantomPool(n: number, opts: PoolOptions): PoolItem[] {
  const o = { size: opts.size, seed: opts.seed, classes: opts.classes ?? POOL_CLASSES, mix: opts.mix ?? DEFAULT_MIX };
  if (!opts.cacheDir) return render(n, o);
  const key = `pool-${n}-${o.size}-${o.seed}-${o.classes.join('+')}-${o.mix.broken}-${o.mix.offClass}`;
  const bin = join(opts.cacheDir, `${key}.f32`);
  const meta = join(opts.cacheDir, `${key}.json`);
  const px = o.size * o.size * 3;
  if (existsSync(bin) && existsSync(meta)) {
    const items = JSON.parse(readFileSync(meta, 'utf8')) as Omit<PoolItem, 'image'>[];
    const buf = readFileSync(bin);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    return items.map((it, i) => {
      const image = createRaster(o.size, o.size, 3);
      image.data.set(all.subarray(i * px, (i + 1) * px));
      return { ...it, image };
    });
  }
  const items = render(n, o);
  mkdirSync(opts.cacheDir, { recursive: true });
  const all = new Float32Array(n * px);
  items.forEach((it, i) => all.set(it.image.data, i * px));
  writeFileSync(bin, Buffer.from(all.buffer));
  writeFileSync(meta, JSON.stringify(items.map(({ image: _, ...rest }) => rest)));
  return items;
}

/** Valid phantoms with their true class: the "real images" whose true/wrong-class pairs the reward model also learns from. */
export function realPhantoms(n: number, opts: { size: number; seed: number; classes?: readonly CellLabel[] }): Array<{ image: Raster; condition: string }> {
  return Array.from({ length: n }, (_, i) => {
    const p = cellPhantom(i, { size: opts.size, seed: deriveSeed(opts.seed, 'real'), labels: opts.classes ?? POOL_CLASSES });
    return { image: p.image, condition: p.label };
  });
}
