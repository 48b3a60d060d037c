// Test workspaces: sample folders of tiny PNGs with sidecars whose provenance is easy to
// spot in a leak check (model, run and file names are unique marker strings), plus a
// tEXt chunk inside each PNG naming the model (the server must strip it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/data/png.js';
import { createRaster } from '../../src/data/raster.js';

export const SECRET_MODEL = 'unet-zebrafish-v7';
export const SECRET_RUN = 'run-20240501-quokka';
export const FILE_MARKER = 'samplefile';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Inserts a tEXt chunk before IEND (what a careless generator might write). */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.from(`${keyword}\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

/** A 16×16 RGB image with the given mean intensity and a little texture. */
export function testPng(mean: number, seed: number): Buffer {
  const r = createRaster(16, 16, 3);
  for (let i = 0; i < r.data.length; i++) r.data[i] = Math.min(1, Math.max(0, mean + 0.04 * Math.sin(i * 0.7 + seed)));
  return withTextChunk(encodePng(r), 'Comment', `model=${SECRET_MODEL} run=${SECRET_RUN}`);
}

export interface FixtureImage {
  name: string;
  condition: string;
  plausible: boolean;
  gold?: 'plausible' | 'implausible';
}

export interface Workspace {
  dir: string;
  samplesDir: string;
  images: FixtureImage[];
  cleanup(): void;
}

/**
 * `perCondition` synthetic images for each condition (every third one implausible: too
 * dark), plus `goldPerCondition` real gold images (plausible) and, when asked, one
 * implausible gold image per condition (needed for pairwise gold pairs).
 */
export function makeWorkspace(opts: { conditions?: string[]; perCondition?: number; goldPerCondition?: number; implausibleGold?: boolean } = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-feedback-'));
  const samplesDir = join(dir, 'runs', SECRET_RUN, 'samples');
  mkdirSync(samplesDir, { recursive: true });
  const images: FixtureImage[] = [];
  const conditions = opts.conditions ?? ['neutrophil', 'lymphocyte'];
  let n = 0;
  for (const condition of conditions) {
    for (let i = 0; i < (opts.perCondition ?? 6); i++) {
      const plausible = i % 3 !== 2;
      const name = `${FILE_MARKER}_${condition}_${i}`;
      writeFileSync(join(samplesDir, `${name}.png`), testPng(plausible ? 0.5 : 0.1, n++));
      writeFileSync(
        join(samplesDir, `${name}.json`),
        JSON.stringify({ condition, model: SECRET_MODEL, run: SECRET_RUN, checkpointStep: 1200 + i, seed: 1000 + i, sampler: { name: 'ddim', steps: 50, eta: 1 } }),
      );
      images.push({ name, condition, plausible });
    }
    for (let i = 0; i < (opts.goldPerCondition ?? 0) + (opts.implausibleGold ? 1 : 0); i++) {
      const gold = i < (opts.goldPerCondition ?? 0) ? 'plausible' : 'implausible';
      const name = `${FILE_MARKER}_gold_${condition}_${i}`;
      writeFileSync(join(samplesDir, `${name}.png`), testPng(gold === 'plausible' ? 0.55 : 0.9, n++));
      writeFileSync(join(samplesDir, `${name}.json`), JSON.stringify({ condition, real: true, goldAnswer: gold, dataset: 'pbc64' }));
      images.push({ name, condition, plausible: gold === 'plausible', gold });
    }
  }
  return { dir, samplesDir, images, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
