// Loading manifests into rasters (skip-and-report), and the NCHW packing the engine wraps.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ImageDecodeError } from '../../src/data/errors.js';
import { loadImage, loadImages } from '../../src/data/loader.js';
import { fromCsv, loadManifest } from '../../src/data/manifest.js';
import { nchwToRasters, rastersToNCHW } from '../../src/data/nchw.js';
import { encodePng } from '../../src/data/png.js';
import { type Raster, createRaster } from '../../src/data/raster.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'medloop-loader-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function ramp(width: number, height: number, channels: 1 | 3): Raster {
  const r = createRaster(width, height, channels);
  for (let i = 0; i < r.data.length; i++) r.data[i] = (i % 251) / 255;
  return r;
}

describe('loadImages', () => {
  const dir = join(tmp, 'set');
  mkdirSync(join(dir, 'img'), { recursive: true });
  writeFileSync(join(dir, 'img', 'wide.png'), encodePng(ramp(12, 8, 3)));
  writeFileSync(join(dir, 'img', 'grey.png'), encodePng(createRaster(8, 8, 1, 0.4)));
  writeFileSync(join(dir, 'img', 'broken.png'), encodePng(createRaster(8, 8, 1, 0.4)).subarray(0, 30));
  writeFileSync(join(dir, 'list.csv'), 'path,label\nimg/wide.png,a\nimg/broken.png,b\nimg/missing.png,b\nimg/grey.png,a\n');
  const manifest = fromCsv(join(dir, 'list.csv'), { checkFiles: false });

  it("skip-and-report: bad files are listed with a reason, the rest load at the asked size and channels", async () => {
    const seen: number[] = [];
    const r = await loadImages(manifest, manifest.entries, { size: 4, channels: 3, onError: 'skip', onProgress: (done) => seen.push(done) });
    assert.equal(r.images.length, 2);
    assert.deepEqual(r.entries.map((e) => e.path), ['img/wide.png', 'img/grey.png']);
    assert.deepEqual(r.skipped.map((s) => s.path), ['img/broken.png', 'img/missing.png']);
    assert.match(r.skipped[0]!.reason, /invalid PNG/);
    assert.match(r.skipped[1]!.reason, /cannot read file/);
    for (const img of r.images) assert.deepEqual([img.width, img.height, img.channels], [4, 4, 3]);
    assert.ok(r.images[1]!.data.every((v) => Math.abs(v - 102 / 255) < 1e-6)); // 0.4 → byte 102, grey → RGB
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it("onError 'throw' (default) raises an ImageDecodeError naming the first bad file", async () => {
    await assert.rejects(loadImages(manifest, manifest.entries, { size: 4 }), (e: unknown) => e instanceof ImageDecodeError && e.file.endsWith(join('img', 'broken.png')));
  });

  it('loadImage keeps the native size without options', () => {
    const r = loadImage(join(dir, 'img', 'wide.png'));
    assert.deepEqual([r.width, r.height, r.channels], [12, 8, 3]);
  });

  it('loads a sample of each shared data set', { skip: !existsSync(SHARED) && `${SHARED} absent` }, async () => {
    for (const [name, channels] of [['pbc64', 3], ['nih-cxr64', 1], ['covid-cxr64', 1]] as const) {
      const m = loadManifest(join(SHARED, name));
      const r = await loadImages(m, m.entries.slice(0, 200), { size: 32 });
      assert.equal(r.images.length, 200);
      assert.equal(r.skipped.length, 0);
      for (const img of r.images) assert.deepEqual([img.width, img.height, img.channels], [32, 32, channels]);
    }
  });
});

describe('NCHW packing', () => {
  it('rastersToNCHW lays out planes and maps [0, 1] onto the range; nchwToRasters inverts it', () => {
    const a = createRaster(2, 1, 3);
    a.data.set([0, 0.5, 1, 0.25, 0.75, 0]);
    const b = createRaster(2, 1, 3, 1);
    const { data, shape } = rastersToNCHW([a, b], { channels: 3, range: [-1, 1] });
    assert.deepEqual(shape, [2, 3, 1, 2]);
    // Image 0: R plane (0, 0.25), G plane (0.5, 0.75), B plane (1, 0), each mapped v → 2v − 1.
    assert.deepEqual(Array.from(data.subarray(0, 6)), [-1, -0.5, 0, 0.5, 1, -1]);
    assert.deepEqual(Array.from(data.subarray(6)), [1, 1, 1, 1, 1, 1]);
    const back = nchwToRasters(data, shape, [-1, 1]);
    assert.deepEqual(Array.from(back[0]!.data), Array.from(a.data));
    assert.deepEqual(Array.from(back[1]!.data), Array.from(b.data));
  });

  it('converts channels and clamps out-of-range values on the way back', () => {
    const rgb = createRaster(1, 1, 3);
    rgb.data.set([1, 0, 0]);
    const { data, shape } = rastersToNCHW([rgb], { channels: 1, range: [0, 1] });
    assert.deepEqual(shape, [1, 1, 1, 1]);
    assert.ok(Math.abs(data[0]! - 0.299) < 1e-6);
    const out = nchwToRasters(Float32Array.from([-3, 0, 2, 0.5]), [1, 1, 2, 2], [-1, 1]);
    assert.deepEqual(Array.from(out[0]!.data), [0, 0.5, 1, 0.75]);
    assert.throws(() => rastersToNCHW([createRaster(2, 2, 1), createRaster(3, 2, 1)], { channels: 1, range: [0, 1] }), RangeError);
    assert.throws(() => nchwToRasters(new Float32Array(4), [1, 2, 1, 2], [0, 1]), RangeError);
  });
});
