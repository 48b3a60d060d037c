// Small procedural image sets for the evaluation tests: two or three classes of
// discs that differ in colour and size, at random positions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, tensor } from '../../src/engine/index.js';
import { encodePng } from '../../src/data/png.js';
import { type Raster, createRaster } from '../../src/data/raster.js';
import { seededRandom } from '../../src/data/random.js';

export const DISC_CLASSES = ['blue', 'red', 'green'] as const;
const COLOURS: Record<string, [number, number, number]> = { red: [0.85, 0.2, 0.2], blue: [0.2, 0.3, 0.85], green: [0.2, 0.75, 0.3] };

export function disc(cls: string, size: number, random: () => number): Raster {
  const r = createRaster(size, size, 3);
  const radius = size * (cls === 'green' ? 0.18 : 0.28) * (0.8 + 0.4 * random());
  const cx = size / 2 + (random() - 0.5) * size * 0.3;
  const cy = size / 2 + (random() - 0.5) * size * 0.3;
  const col = COLOURS[cls]!;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const inside = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < radius;
      for (let c = 0; c < 3; c++) r.data[3 * (y * size + x) + c] = Math.min(1, Math.max(0, (inside ? col[c]! : 0.92) + (random() - 0.5) * 0.1));
    }
  return r;
}

export function discSet(perClass: number, size: number, seed: number, classes: readonly string[] = DISC_CLASSES): { rasters: Raster[]; labels: number[]; names: string[] } {
  const random = seededRandom(seed);
  const rasters: Raster[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perClass; i++)
    classes.forEach((c, l) => {
      rasters.push(disc(c, size, random));
      labels.push(l);
    });
  return { rasters, labels, names: labels.map((l) => classes[l]!) };
}

export function toTensor(rasters: Raster[]): Tensor {
  const [h, w] = [rasters[0]!.height, rasters[0]!.width];
  const data = new Float32Array(rasters.length * 3 * h * w);
  rasters.forEach((r, i) => {
    for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) data[i * 3 * h * w + c * h * w + p] = r.data[3 * p + c]!;
  });
  return tensor(data, [rasters.length, 3, h, w]);
}

/** An image folder <dir>/<class>/<n>.png. */
export function writeImageFolder(dir: string, set: { rasters: Raster[]; names: string[] }): void {
  set.rasters.forEach((r, i) => {
    mkdirSync(join(dir, set.names[i]!), { recursive: true });
    writeFileSync(join(dir, set.names[i]!, `${String(i).padStart(4, '0')}.png`), encodePng(r));
  });
}

/** Generated samples: <dir>/<n>.png + <n>.json {condition}. */
export function writeSampleFolder(dir: string, set: { rasters: Raster[]; names: string[] }): void {
  mkdirSync(dir, { recursive: true });
  set.rasters.forEach((r, i) => {
    writeFileSync(join(dir, `s${String(i).padStart(4, '0')}.png`), encodePng(r));
    writeFileSync(join(dir, `s${String(i).padStart(4, '0')}.json`), JSON.stringify({ condition: set.names[i], seed: i }));
  });
}
