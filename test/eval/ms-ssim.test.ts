import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, type Tensor, cat, undisposedTensorCount, rand, randn, tidy } from '../../src/engine/index.js';
import { msSsim, msSsimScales, msSsimWeights } from '../../src/eval/metrics/ms-ssim.js';
import { gaussianTaps, ssim } from '../../src/eval/metrics/ssim.js';
import { withinConditionMsSsim } from '../../src/eval/metrics/diversity.js';

const gen = new Generator(11);

/** Smooth random images in [0, 1]: blobs, so SSIM is meaningful. */
function smoothImages(n: number, c: number, size: number): Tensor {
  return tidy(() => {
    const coarse = rand([n, c, size / 4, size / 4], { generator: gen });
    return coarse.repeatInterleave(4, 2).repeatInterleave(4, 3).mul(0.8).add(0.1);
  });
}

/** Wang's SSIM written with loops (valid 11×11 Gaussian window), one grey image pair. */
function referenceSsim(a: Float32Array, b: Float32Array, size: number): number {
  const taps = gaussianTaps(11, 1.5);
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const out = size - 10;
  let total = 0;
  for (let y = 0; y < out; y++)
    for (let x = 0; x < out; x++) {
      let ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
      for (let i = 0; i < 11; i++)
        for (let j = 0; j < 11; j++) {
          const w = taps[i]! * taps[j]!;
          const va = a[(y + i) * size + x + j]!;
          const vb = b[(y + i) * size + x + j]!;
          ma += w * va;
          mb += w * vb;
          saa += w * va * va;
          sbb += w * vb * vb;
          sab += w * va * vb;
        }
      const va = saa - ma * ma;
      const vb = sbb - mb * mb;
      const cov = sab - ma * mb;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
    }
  return total / (out * out);
}

test('SSIM matches a loop implementation of Wang et al.', () => {
  const [a, b] = tidy(() => {
    const x = smoothImages(1, 1, 20);
    return [x, x.add(randn([1, 1, 20, 20], { generator: gen }).mul(0.1)).clamp(0, 1)];
  });
  const got = ssim(a!, b!)[0]!;
  const want = referenceSsim(a!.toFloat32Array(), b!.toFloat32Array(), 20);
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  a!.dispose();
  b!.dispose();
});

test('MS-SSIM of identical images is 1 and falls as noise grows', () => {
  const before = undisposedTensorCount();
  const x = smoothImages(4, 3, 32);
  const same = msSsim(x, x);
  for (const v of same) assert.ok(Math.abs(v - 1) < 1e-5, `MS-SSIM(x, x) = ${v}`);
  let previous = 1;
  for (const sigma of [0.02, 0.08, 0.2, 0.5]) {
    const vals = tidy(() => msSsim(x, x.add(randn(x.shape, { generator: gen }).mul(sigma)).clamp(0, 1)));
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    assert.ok(mean < previous, `noise σ=${sigma}: ${mean} ≥ ${previous}`);
    previous = mean;
  }
  assert.ok(previous < 0.7, `heavy noise still scores ${previous}`);
  x.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('the number of scales fits the image size; weights renormalise', () => {
  assert.equal(msSsimScales(32, 32), 2);
  assert.equal(msSsimScales(64, 64), 3);
  assert.equal(msSsimScales(176, 176), 5);
  assert.equal(msSsimScales(512, 512), 5);
  assert.equal(msSsimScales(8, 8), 0);
  const w = msSsimWeights(2);
  assert.ok(Math.abs(w[0]! + w[1]! - 1) < 1e-12);
  assert.ok(Math.abs(w[1]! / w[0]! - 0.2856 / 0.0448) < 1e-9);
});

test('within-condition MS-SSIM: a collapsed condition scores 1, a varied one lower', () => {
  const varied = smoothImages(6, 1, 32);
  const collapsed = tidy(() => varied.narrow(0, 0, 1).repeat([6, 1, 1, 1]));
  const images = cat([varied, collapsed]);
  const conditions = [...Array(6).fill('varied'), ...Array(6).fill('collapsed')];
  const r = withinConditionMsSsim(images, conditions, { pairsPerCondition: 10, seed: 1 });
  assert.ok(Math.abs(r.perCondition.collapsed!.msSsim - 1) < 1e-5);
  assert.ok(r.perCondition.varied!.msSsim < 0.9);
  assert.equal(r.perCondition.varied!.pairs, 10);
  const again = withinConditionMsSsim(images, conditions, { pairsPerCondition: 10, seed: 1 });
  assert.equal(again.perCondition.varied!.msSsim, r.perCondition.varied!.msSsim);
  for (const t of [varied, collapsed, images]) t.dispose();
});
