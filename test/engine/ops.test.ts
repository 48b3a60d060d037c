// Forward values of every op in native/ops.cc against closed forms or the plain-JS
// references in reference.ts, on small inputs; then errors (shape mismatch names the
// op, a disposed tensor says "used after dispose"). The last test checks that the
// table called every op the addon binds (random draws: random.test.ts; autograd
// utilities: gradcheck.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  F,
  type Tensor,
  arange,
  cat,
  empty,
  eye,
  full,
  fullLike,
  linspace,
  noGrad,
  ones,
  onesLike,
  scalar,
  setNumThreads,
  stack,
  tensor,
  tidy,
  where,
  zeros,
  zerosLike,
} from '../../src/engine/index.js';
import { native } from '../../src/engine/native.js';
import * as R from './reference.js';

setNumThreads(1); // tiny tensors: one thread is fastest and immune to a busy machine

const called = new Set<string>();
for (const name of Object.keys(native.ops)) {
  const f = native.ops[name]!;
  native.ops[name] = (...args: unknown[]) => {
    called.add(name);
    return f(...args);
  };
}
const CHECKED_ELSEWHERE = new Set(['randn', 'rand', 'randint', 'randperm', 'randnLike', 'bernoulli', 'multinomial', 'autogradGrad', 'clipGradNorm']);

// ---------------------------------------------------------------- helpers
const f64 = { dtype: 'float64' } as const;
const T = (data: number[], shape = [data.length]) => tensor(data, shape, f64);
const I = (data: number[], shape = [data.length]) => tensor(data, shape, { dtype: 'int64' });
const B = (data: number[], shape = [data.length]) => tensor(data, shape, { dtype: 'bool' });
const nd = (t: Tensor): R.Nd => ({ data: t.toNumbers(), shape: t.shape });
const D = (shape: number[], seed = 1): R.Nd => ({ data: R.distinct(R.numel(shape), seed), shape });
const fromNd = (x: R.Nd) => T(x.data, x.shape);

/** Shape equal and every value within `tol` (absolute + relative). */
function close(actual: Tensor, expected: R.Nd | number[], tol = 1e-9): void {
  const exp = Array.isArray(expected) ? { data: expected, shape: null } : expected;
  if (exp.shape) assert.deepEqual(actual.shape, exp.shape, 'shape');
  const got = actual.toNumbers();
  assert.equal(got.length, exp.data.length, 'element count');
  got.forEach((v, i) => {
    const e = exp.data[i]!;
    if (Number.isNaN(e)) return assert.ok(Number.isNaN(v), `element ${i}: ${v}, expected NaN`);
    if (!Number.isFinite(e)) return assert.equal(v, e, `element ${i}`);
    assert.ok(Math.abs(v - e) <= tol * (1 + Math.abs(e)), `element ${i}: ${v}, expected ${e} (all: ${got.slice(0, 12).join(', ')})`);
  });
}
function equal(actual: Tensor, expected: number[], shape?: number[], dtype?: string): void {
  if (shape) assert.deepEqual(actual.shape, shape, 'shape');
  if (dtype) assert.equal(actual.dtype, dtype, 'dtype');
  assert.deepEqual(actual.toNumbers(), expected);
}
const cases: [string, () => void][] = [];
const c = (name: string, run: () => void) => cases.push([name, run]);

// Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): an independent erf for gelu.
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
}

// ---------------------------------------------------------------- creation, type, device
c('fromArray keeps every typed array type and its values', () => {
  equal(tensor(new Float32Array([1.5, -2]), [2]), [1.5, -2], [2], 'float32');
  equal(tensor(new Float64Array([0.1, 1e300]), [1, 2]), [0.1, 1e300], [1, 2], 'float64');
  equal(tensor(new BigInt64Array([2n ** 40n, -3n]), [2]), [2 ** 40, -3], [2], 'int64');
  equal(tensor(new Int32Array([7, -7]), [2]), [7, -7], [2], 'int32');
  equal(tensor(new Uint8Array([0, 255]), [2]), [0, 255], [2], 'uint8');
  equal(tensor(new Uint8Array([0, 1, 2]), [3], { dtype: 'bool' }), [0, 1, 1], [3], 'bool');
  equal(tensor(new Float32Array([1, 2.7]), [2], { dtype: 'int64' }), [1, 2], [2], 'int64');
  // A view into a larger buffer starts at its own offset.
  equal(tensor(new Float64Array([9, 1, 2, 3]).subarray(1), [3]), [1, 2, 3]);
  equal(tensor([], [0, 3]), [], [0, 3]);
  equal(tensor([], [0]), [], [0]);
});
c('number arrays take the dtype exactly (int32 beyond 2^24, bool, uint8)', () => {
  equal(tensor([16777217, -5], [2], { dtype: 'int32' }), [16777217, -5], [2], 'int32');
  equal(tensor([2 ** 53 - 1], [1], { dtype: 'int64' }), [2 ** 53 - 1], [1], 'int64');
  equal(tensor([0, 3, 0.5], [3], { dtype: 'bool' }), [0, 1, 1], [3], 'bool');
  equal(tensor([200], [1], { dtype: 'uint8' }), [200], [1], 'uint8');
  equal(tensor([0.1], [1], f64), [0.1], [1], 'float64');
  assert.equal(tensor([1, 2]).dtype, 'float32');
  assert.deepEqual(tensor([1, 2, 3, 4]).shape, [4]);
  const half = tensor([1.5, -2], [2], { dtype: 'float16' });
  assert.equal(half.dtype, 'float16');
  equal(half, [1.5, -2]);
  assert.equal(tensor([1.5], [1], { dtype: 'bfloat16' }).dtype, 'bfloat16');
});
c('scalar, zeros, ones, full, empty', () => {
  equal(scalar(2.5), [2.5], [], 'float32');
  equal(scalar(3, { dtype: 'int64' }), [3], [], 'int64');
  equal(zeros([2, 2]), [0, 0, 0, 0], [2, 2], 'float32');
  equal(ones([3], { dtype: 'int32' }), [1, 1, 1], [3], 'int32');
  equal(full([2], 7.5, f64), [7.5, 7.5], [2], 'float64');
  equal(full([2], 1, { dtype: 'bool' }), [1, 1], [2], 'bool');
  const e = empty([2, 3], { dtype: 'int64' });
  assert.deepEqual([e.shape, e.dtype], [[2, 3], 'int64']);
});
c('arange infers int64 for whole numbers and float32 for fractions, linspace, eye', () => {
  equal(arange(0, 5), [0, 1, 2, 3, 4], [5], 'int64');
  equal(arange(5, 0, -2), [5, 3, 1], [3], 'int64');
  equal(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], [4], 'float32');
  equal(arange(0.5, 3), [0.5, 1.5, 2.5], [3], 'float32');
  equal(arange(0, 3, 1, f64), [0, 1, 2], [3], 'float64');
  close(linspace(0, 1, 5, f64), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(linspace(0, 1, 3).dtype, 'float32');
  equal(eye(3), [1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
});
c('zerosLike, onesLike, fullLike keep shape and dtype', () => {
  const x = I([1, 2, 3, 4], [2, 2]);
  equal(zerosLike(x), [0, 0, 0, 0], [2, 2], 'int64');
  equal(onesLike(x), [1, 1, 1, 1], [2, 2], 'int64');
  equal(fullLike(T([1, 2]), 0.5), [0.5, 0.5], [2], 'float64');
});
c('toDtype, toDevice(cpu), clone, detach, contiguous', () => {
  const x = T([1.7, -1.2]);
  equal(x.to('int64'), [1, -1], [2], 'int64');
  equal(x.to('float32'), [Math.fround(1.7), Math.fround(-1.2)], [2], 'float32');
  equal(x.to('bool'), [1, 1], [2], 'bool');
  assert.equal(x.float().dtype, 'float32');
  assert.equal(x.float().double().dtype, 'float64');
  assert.equal(x.long().dtype, 'int64');
  assert.equal(x.to('cpu').device, 'cpu');
  const y = x.clone();
  y.add_(1);
  equal(x, [1.7, -1.2]); // the clone owns its memory
  const p = T([1]).requiresGrad_();
  const q = p.mul(2);
  assert.equal(q.requiresGrad, true);
  assert.equal(q.detach().requiresGrad, false);
  equal(T([1, 2, 3, 4], [2, 2]).T.contiguous(), [1, 3, 2, 4], [2, 2]);
});

// ---------------------------------------------------------------- elementwise
const binaries: [string, (a: Tensor, b: Tensor | number) => Tensor, (x: number, y: number) => number][] = [
  ['add', (a, b) => a.add(b), (x, y) => x + y],
  ['sub', (a, b) => a.sub(b), (x, y) => x - y],
  ['mul', (a, b) => a.mul(b), (x, y) => x * y],
  ['div', (a, b) => a.div(b), (x, y) => x / y],
  ['pow', (a, b) => a.abs().pow(b), (x, y) => Math.abs(x) ** y],
  ['remainder', (a, b) => a.remainder(b), (x, y) => x - y * Math.floor(x / y)], // Python's sign convention
];
for (const [name, op, ref] of binaries) {
  c(`${name}: broadcasting [2,1,3]×[4,1] and a number operand`, () => {
    const a = D([2, 1, 3]);
    const b = D([4, 1], 2);
    close(op(fromNd(a), fromNd(b)), R.binary(a, b, ref));
    close(op(fromNd(a), 1.5), R.binary(a, 1.5, ref));
  });
}
c('rsub is number − tensor', () => close(T([1, -2]).rsub(3), [2, 5]));
c('integer operands keep int64 tensors int64; fractions promote to float', () => {
  const i = I([5, -3]);
  equal(i.add(1), [6, -2], [2], 'int64');
  equal(i.mul(2), [10, -6], [2], 'int64');
  equal(i.sub(1), [4, -4], [2], 'int64');
  equal(i.rsub(1), [-4, 4], [2], 'int64');
  equal(i.remainder(2), [1, 1], [2], 'int64');
  equal(i.clamp(0, 4), [4, 0], [2], 'int64');
  equal(i.mul(0.5), [2.5, -1.5], [2], 'float32');
  equal(i.div(2), [2.5, -1.5], [2], 'float32'); // true division, as torch.div
  equal(T([1.5]).add(1), [2.5], [1], 'float64');
  equal(tensor([1.5]).mul(2), [3], [1], 'float32');
});
c('maximum, minimum, atan2 with broadcasting', () => {
  const a = D([2, 3]);
  const b = D([3], 2);
  close(fromNd(a).maximum(fromNd(b)), R.binary(a, b, Math.max));
  close(F.maximum(fromNd(a), fromNd(b)), R.binary(a, b, Math.max));
  close(fromNd(a).minimum(fromNd(b)), R.binary(a, b, Math.min));
  close(F.minimum(fromNd(a), fromNd(b)), R.binary(a, b, Math.min));
  close(F.atan2(fromNd(a), fromNd(b)), R.binary(a, b, Math.atan2));
});
c('comparisons give bool tensors', () => {
  const a = T([1, 2, 3]);
  const b = T([3, 2, 1]);
  equal(a.eq(b), [0, 1, 0], [3], 'bool');
  equal(a.ne(2), [1, 0, 1], [3], 'bool');
  equal(a.lt(b), [1, 0, 0], [3], 'bool');
  equal(a.le(2), [1, 1, 0], [3], 'bool');
  equal(a.gt(b), [0, 0, 1], [3], 'bool');
  equal(a.ge(2), [0, 1, 1], [3], 'bool');
});
c('logicalAnd, logicalOr, logicalNot', () => {
  const p = B([1, 1, 0, 0]);
  const q = B([1, 0, 1, 0]);
  equal(p.logicalAnd(q), [1, 0, 0, 0], [4], 'bool');
  equal(p.logicalOr(q), [1, 1, 1, 0], [4], 'bool');
  equal(p.logicalNot(), [0, 0, 1, 1], [4], 'bool');
});
const unaries: [string, (x: Tensor) => Tensor, (v: number) => number, number?][] = [
  ['neg', (x) => x.neg(), (v) => -v],
  ['exp', (x) => x.exp(), Math.exp],
  ['abs', (x) => x.abs(), Math.abs],
  ['sin', (x) => x.sin(), Math.sin],
  ['cos', (x) => x.cos(), Math.cos],
  ['tanh', (x) => x.tanh(), Math.tanh],
  ['sigmoid', (x) => x.sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
  ['relu', (x) => x.relu(), (v) => Math.max(0, v)],
  ['silu', (x) => x.silu(), (v) => v / (1 + Math.exp(-v))],
  ['square', (x) => x.square(), (v) => v * v],
  ['sign', (x) => x.sign(), Math.sign],
  ['floor', (x) => x.floor(), Math.floor],
  ['ceil', (x) => x.ceil(), Math.ceil],
  ['round (half to even)', (x) => x.round(), (v) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v))],
  ['expm1', (x) => x.expm1(), Math.expm1],
  ['erf', (x) => x.erf(), erf, 2e-7],
  ['reciprocal', (x) => x.reciprocal(), (v) => 1 / v],
  ['logSigmoid', (x) => F.logSigmoid(x), (v) => -Math.log1p(Math.exp(-v))],
  ['gelu', (x) => x.gelu(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)), 2e-7],
  ['gelu tanh', (x) => F.gelu(x, 'tanh'), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  ['softplus', (x) => F.softplus(x), (v) => Math.log1p(Math.exp(v))],
  ['softplus beta 2 threshold 1', (x) => F.softplus(x, 2, 1), (v) => (2 * v > 1 ? v : Math.log1p(Math.exp(2 * v)) / 2)],
  ['leakyRelu', (x) => F.leakyRelu(x, 0.1), (v) => (v > 0 ? v : 0.1 * v)],
  ['F.relu', (x) => F.relu(x), (v) => Math.max(0, v)],
  ['F.silu', (x) => F.silu(x), (v) => v / (1 + Math.exp(-v))],
  ['F.sigmoid', (x) => F.sigmoid(x), (v) => 1 / (1 + Math.exp(-v))],
  ['F.tanh', (x) => F.tanh(x), Math.tanh],
];
for (const [name, op, ref, tol] of unaries) {
  c(`${name} elementwise`, () => {
    const x = { data: [...R.distinct(10, 3).map((v) => v * 2), 2.5, -2.5, 0.5], shape: [13] };
    close(op(fromNd(x)), R.unary(x, ref), tol ?? 1e-12);
  });
}
c('log, log1p, sqrt, rsqrt on positive values; nan/inf at the edges', () => {
  const x = { data: [0.25, 1, 2.5, 9], shape: [4] };
  close(fromNd(x).log(), R.unary(x, Math.log));
  close(fromNd(x).log1p(), R.unary(x, Math.log1p));
  close(fromNd(x).sqrt(), R.unary(x, Math.sqrt));
  close(fromNd(x).rsqrt(), R.unary(x, (v) => 1 / Math.sqrt(v)));
  close(T([0, -1]).log(), [-Infinity, NaN]);
});
c('isnan, isfinite', () => {
  const x = T([1, NaN, Infinity, -Infinity]);
  equal(x.isnan(), [0, 1, 0, 0], [4], 'bool');
  equal(x.isfinite(), [1, 0, 0, 0], [4], 'bool');
});
c('clamp with both, lower or upper bound', () => {
  const x = T([-2, -0.5, 0.5, 2]);
  close(x.clamp(-1, 1), [-1, -0.5, 0.5, 1]);
  close(x.clamp(0), [0, 0, 0.5, 2]);
  close(x.clamp(null, 0), [-2, -0.5, 0, 0]);
});
c('maskedFill and where (tensor or number branches)', () => {
  const x = T([1, 2, 3, 4], [2, 2]);
  const m = B([1, 0, 0, 1], [2, 2]);
  close(x.maskedFill(m, -9), [-9, 2, 3, -9]);
  close(where(m, x, T([10, 20, 30, 40], [2, 2])), [1, 20, 30, 4]);
  close(where(m, x, 0), [1, 0, 0, 4]);
  close(where(m, 5, x), [5, 2, 3, 5]);
  equal(where(m, 1, 2), [1, 2, 2, 1], [2, 2], 'float32');
  close(where(B([1, 0]), T([7]), T([[8], [9]].flat(), [2, 1])), [7, 8, 7, 9]); // broadcast
});

// ---------------------------------------------------------------- reductions
c('sum and mean over all, dims, keepdim', () => {
  const x = D([2, 3, 2]);
  close(fromNd(x).sum(), R.reduce(x, undefined, R.sum));
  close(fromNd(x).sum([0, 2]), R.reduce(x, [0, 2], R.sum));
  close(fromNd(x).sum(1, true), R.reduce(x, [1], R.sum, true));
  close(fromNd(x).mean(), R.reduce(x, undefined, R.mean));
  close(fromNd(x).mean([-1]), R.reduce(x, [2], R.mean));
  equal(B([1, 0, 1, 1]).sum(), [3], [], 'int64');
});
c('amax, amin, maxDim, minDim, argmax, argmin', () => {
  const x = D([3, 4]);
  close(fromNd(x).amax(), R.reduce(x, undefined, (v) => Math.max(...v)));
  close(fromNd(x).amax(1, true), R.reduce(x, [1], (v) => Math.max(...v), true));
  close(fromNd(x).amin([0]), R.reduce(x, [0], (v) => Math.min(...v)));
  close(fromNd(x).amin(), R.reduce(x, undefined, (v) => Math.min(...v)));
  const argOf = (vs: number[], pick: (...v: number[]) => number) => vs.indexOf(pick(...vs));
  const [mx, mi] = fromNd(x).maxDim(1);
  close(mx, R.reduce(x, [1], (v) => Math.max(...v)));
  equal(mi, R.reduce(x, [1], (v) => argOf(v, Math.max)).data, [3], 'int64');
  const [nx, ni] = fromNd(x).minDim(0, true);
  close(nx, R.reduce(x, [0], (v) => Math.min(...v), true));
  equal(ni, R.reduce(x, [0], (v) => argOf(v, Math.min)).data, [1, 4], 'int64');
  equal(fromNd(x).argmax(), [x.data.indexOf(Math.max(...x.data))], [], 'int64');
  equal(fromNd(x).argmin(1), R.reduce(x, [1], (v) => argOf(v, Math.min)).data, [3]);
  equal(fromNd(x).argmax(0, true), R.reduce(x, [0], (v) => argOf(v, Math.max)).data, [1, 4]);
});
c('var and std: unbiased by default, biased on request, over dims', () => {
  const x = D([3, 4]);
  close(fromNd(x).var(), [R.variance(x.data)]);
  close(fromNd(x).std(), [Math.sqrt(R.variance(x.data))]);
  close(fromNd(x).var(1, false), R.reduce(x, [1], (v) => R.variance(v, false)));
  close(fromNd(x).std([0], true, true), R.reduce(x, [0], (v) => Math.sqrt(R.variance(v)), true));
  close(fromNd(x).var(undefined, false), [R.variance(x.data, false)]);
});
c('logsumexp is stable for large values', () => {
  const x = D([2, 3]);
  close(fromNd(x).logsumexp(1), R.reduce(x, [1], (v) => Math.log(R.sum(v.map(Math.exp)))));
  close(T([1000, 1000]).logsumexp(0), [1000 + Math.log(2)]);
});
c('norm: p = 2 (default), 1, ∞, over dims', () => {
  const x = D([2, 3]);
  close(fromNd(x).norm(), [Math.hypot(...x.data)]);
  close(fromNd(x).norm(1, 1), R.reduce(x, [1], (v) => R.sum(v.map(Math.abs))));
  close(fromNd(x).norm(Infinity), [Math.max(...x.data.map(Math.abs))]);
  close(fromNd(x).norm(3, [0], true), R.reduce(x, [0], (v) => R.sum(v.map((a) => Math.abs(a) ** 3)) ** (1 / 3), true));
});
c('cumsum, prod, all, any', () => {
  close(T([1, 2, 3, 4], [2, 2]).cumsum(1), [1, 3, 3, 7]);
  close(T([1, 2, 3, 4], [2, 2]).cumsum(0), [1, 2, 4, 6]);
  equal(I([1, 2, 3]).cumsum(0), [1, 3, 6], [3], 'int64');
  close(T([1, 2, 3, 4], [2, 2]).prod(), [24]);
  close(T([1, 2, 3, 4], [2, 2]).prod(1, true), { data: [2, 12], shape: [2, 1] });
  equal(B([1, 1]).all(), [1], [], 'bool');
  equal(B([1, 0]).all(), [0]);
  equal(B([0, 1]).any(), [1]);
  equal(B([0, 0]).any(), [0]);
});

// ---------------------------------------------------------------- shape and indexing
c('reshape, view, permute, transpose, T, squeeze, unsqueeze, flatten, expand', () => {
  const x = T([1, 2, 3, 4, 5, 6], [2, 3]);
  equal(x.reshape([3, 2]), [1, 2, 3, 4, 5, 6], [3, 2]);
  equal(x.reshape([-1]), [1, 2, 3, 4, 5, 6], [6]);
  equal(x.view([1, 6]), [1, 2, 3, 4, 5, 6], [1, 6]);
  equal(x.transpose(0, 1), [1, 4, 2, 5, 3, 6], [3, 2]);
  equal(x.T, [1, 4, 2, 5, 3, 6], [3, 2]);
  const y = T(R.distinct(24), [2, 3, 4]);
  const p = y.permute([2, 0, 1]);
  assert.deepEqual(p.shape, [4, 2, 3]);
  const yv = y.toNumbers();
  p.toNumbers().forEach((v, i) => {
    const [k, a, b] = R.unravel(i, [4, 2, 3]);
    assert.equal(v, yv[(a! * 3 + b!) * 4 + k!]);
  });
  assert.deepEqual(T([1, 2], [1, 2, 1]).squeeze().shape, [2]);
  assert.deepEqual(T([1, 2], [1, 2, 1]).squeeze(0).shape, [2, 1]);
  assert.deepEqual(x.unsqueeze(1).shape, [2, 1, 3]);
  assert.deepEqual(x.unsqueeze(-1).shape, [2, 3, 1]);
  assert.deepEqual(y.flatten().shape, [24]);
  assert.deepEqual(y.flatten(1).shape, [2, 12]);
  assert.deepEqual(y.flatten(0, 1).shape, [6, 4]);
  equal(T([1, 2], [2, 1]).expand([2, 3]), [1, 1, 1, 2, 2, 2], [2, 3]);
  equal(T([1, 2]).expand([2, -1]), [1, 2, 1, 2], [2, 2]);
  assert.equal(x.ndim, 2);
  assert.equal(x.size, 6);
  assert.equal(x.dim(-1), 3);
  assert.throws(() => x.dim(2), RangeError);
});
c('cat and stack', () => {
  const a = T([1, 2, 3, 4], [2, 2]);
  const b = T([5, 6], [2, 1]);
  equal(cat([a, b], 1), [1, 2, 5, 3, 4, 6], [2, 3]);
  equal(cat([a, a]), [1, 2, 3, 4, 1, 2, 3, 4], [4, 2]);
  equal(stack([a, a], 0), [1, 2, 3, 4, 1, 2, 3, 4], [2, 2, 2]);
  equal(stack([T([1, 2]), T([3, 4])], 1), [1, 3, 2, 4], [2, 2]);
});
c('slice (negative, open, step), narrow, select', () => {
  const x = T([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  equal(x.slice(0, 2, 5), [2, 3, 4]);
  equal(x.slice(0, -3), [7, 8, 9]);
  equal(x.slice(0, null, null, 3), [0, 3, 6, 9]);
  equal(x.slice(0, 1, -1, 4), [1, 5]);
  const m = T([1, 2, 3, 4, 5, 6], [2, 3]);
  equal(m.slice(1, 1), [2, 3, 5, 6], [2, 2]);
  equal(m.narrow(1, 1, 1), [2, 5], [2, 1]);
  equal(m.select(0, 1), [4, 5, 6], [3]);
  equal(m.select(1, -1), [3, 6], [2]);
});
c('indexSelect, index (int64 and bool), indexPut', () => {
  const m = T([1, 2, 3, 4, 5, 6], [3, 2]);
  equal(m.indexSelect(0, I([2, 0, 2])), [5, 6, 1, 2, 5, 6], [3, 2]);
  equal(m.indexSelect(1, I([1])), [2, 4, 6], [3, 1]);
  equal(m.index(I([1, -1])), [3, 4, 5, 6], [2, 2]);
  equal(m.index(B([1, 0, 1])), [1, 2, 5, 6], [2, 2]);
  equal(T([5, -1, 3]).index(T([5, -1, 3]).gt(0)), [5, 3]);
  equal(m.indexPut(I([0, 2]), T([0, 0, 9, 9], [2, 2])), [0, 0, 3, 4, 9, 9], [3, 2]);
  equal(m, [1, 2, 3, 4, 5, 6]); // out of place
});
c('gather, scatter, scatterAdd', () => {
  const m = T([1, 2, 3, 4, 5, 6], [2, 3]);
  equal(m.gather(1, I([2, 0, 1, 1], [2, 2])), [3, 1, 5, 5], [2, 2]);
  equal(m.gather(0, I([1, 0, 1], [1, 3])), [4, 2, 6], [1, 3]);
  equal(zeros([2, 3], f64).scatter(1, I([2, 0], [2, 1]), T([7, 8], [2, 1])), [0, 0, 7, 8, 0, 0], [2, 3]);
  equal(zeros([3], f64).scatterAdd(0, I([0, 2, 0, 0]), T([1, 2, 3, 4])), [8, 0, 2]);
});
c('repeat, repeatInterleave, flip, roll', () => {
  const x = T([1, 2, 3, 4], [2, 2]);
  equal(x.repeat([1, 2]), [1, 2, 1, 2, 3, 4, 3, 4], [2, 4]);
  equal(x.repeat([2, 1]), [1, 2, 3, 4, 1, 2, 3, 4], [4, 2]);
  equal(T([1, 2]).repeat([2, 2]), [1, 2, 1, 2, 1, 2, 1, 2], [2, 4]);
  equal(x.repeatInterleave(2), [1, 2, 1, 2, 3, 4, 3, 4], [4, 2]); // dim 0 by default: rows
  equal(x.repeatInterleave(2, 1), [1, 1, 2, 2, 3, 3, 4, 4], [2, 4]);
  equal(x.flip([0]), [3, 4, 1, 2]);
  equal(x.flip([0, 1]), [4, 3, 2, 1]);
  equal(T([1, 2, 3, 4]).roll([1], [0]), [4, 1, 2, 3]);
  equal(x.roll([1, -1], [0, 1]), [4, 3, 2, 1]);
});
c('chunk and split', () => {
  const x = T([1, 2, 3, 4, 5]);
  assert.deepEqual(
    x.chunk(2).map((t) => t.toNumbers()),
    [
      [1, 2, 3],
      [4, 5],
    ],
  );
  assert.deepEqual(
    x.split([1, 4]).map((t) => t.toNumbers()),
    [[1], [2, 3, 4, 5]],
  );
  assert.deepEqual(
    T([1, 2, 3, 4], [2, 2])
      .chunk(2, 1)
      .map((t) => [t.shape, t.toNumbers()]),
    [
      [[2, 1], [1, 3]],
      [[2, 1], [2, 4]],
    ],
  );
});
c('tril, triu, diag, oneHot', () => {
  const m = T([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
  equal(m.tril(), [1, 0, 0, 4, 5, 0, 7, 8, 9]);
  equal(m.triu(1), [0, 2, 3, 0, 0, 6, 0, 0, 0]);
  equal(m.tril(-1), [0, 0, 0, 4, 0, 0, 7, 8, 0]);
  equal(m.diag(), [1, 5, 9], [3]);
  equal(m.diag(1), [2, 6], [2]);
  equal(T([1, 2]).diag(), [1, 0, 0, 2], [2, 2]);
  equal(F.oneHot(I([0, 2, 1]), 3), [1, 0, 0, 0, 0, 1, 0, 1, 0], [3, 3], 'int64');
  equal(F.oneHot(I([1]), -1), [0, 1], [1, 2]);
});

// ---------------------------------------------------------------- linear algebra
c('matmul (2-D, batched with broadcast, matrix·vector), bmm, linear', () => {
  const a = D([2, 3]);
  const b = D([3, 4], 2);
  close(fromNd(a).matmul(fromNd(b)), R.matmul2(a, b));
  const batch = T([...a.data, ...a.data.map((v) => v * 2)], [2, 2, 3]);
  const ab = R.matmul2(a, b).data;
  close(batch.matmul(fromNd(b)), { data: [...ab, ...ab.map((v) => v * 2)], shape: [2, 2, 4] });
  close(batch.bmm(stack([fromNd(b), fromNd(b)])), { data: [...ab, ...ab.map((v) => v * 2)], shape: [2, 2, 4] });
  close(fromNd(a).matmul(T([1, 0, -1])), { data: [a.data[0]! - a.data[2]!, a.data[3]! - a.data[5]!], shape: [2] });
  const w = D([4, 3], 3);
  const bias = [0.5, -0.5, 1, 2];
  const lin = R.matmul2(a, R.transpose2(w));
  close(F.linear(fromNd(a), fromNd(w), T(bias)), { data: lin.data.map((v, i) => v + bias[i % 4]!), shape: [2, 4] });
  close(F.linear(fromNd(a), fromNd(w)), lin);
});
c('einsum: matmul, trace, outer, batched transpose', () => {
  const a = D([2, 3]);
  const b = D([3, 2], 2);
  close(F.einsum('ij,jk->ik', [fromNd(a), fromNd(b)]), R.matmul2(a, b));
  close(F.einsum('ii->', [T([1, 2, 3, 4], [2, 2])]), [5]);
  close(F.einsum('i,j->ij', [T([1, 2]), T([3, 4, 5])]), { data: [3, 4, 5, 6, 8, 10], shape: [2, 3] });
  close(F.einsum('bij->bji', [T([1, 2, 3, 4], [1, 2, 2])]), { data: [1, 3, 2, 4], shape: [1, 2, 2] });
});
c('eigh: A v = λ v, ascending eigenvalues, orthonormal vectors', () => {
  const x = D([4, 4]);
  const A = R.binary(x, { data: R.transpose2(x).data, shape: [4, 4] }, (p, q) => p + q);
  const [vals, vecs] = F.eigh(fromNd(A));
  const lam = vals.toNumbers();
  const V = nd(vecs);
  assert.deepEqual(vals.shape, [4]);
  for (let k = 1; k < 4; k++) assert.ok(lam[k]! >= lam[k - 1]!);
  const AV = R.matmul2(A, V);
  AV.data.forEach((v, i) => assert.ok(Math.abs(v - lam[i % 4]! * V.data[i]!) < 1e-10, `A v = λ v at ${i}`));
  const VtV = R.matmul2(R.transpose2(V), V);
  VtV.data.forEach((v, i) => assert.ok(Math.abs(v - (i % 5 === 0 ? 1 : 0)) < 1e-12, 'VᵀV = I'));
  close(R.sum(lam) === 0 ? T([0]) : T([R.sum(lam)]), [A.data[0]! + A.data[5]! + A.data[10]! + A.data[15]!]); // trace
  const [v2] = F.eigh(T([2, 1, 1, 2], [2, 2]));
  close(v2, [1, 3]);
});
c('cdist: p = 2 and p = 1', () => {
  const a = D([3, 2]);
  const b = D([2, 2], 2);
  const ref = (p: number) => ({
    data: Array.from({ length: 6 }, (_, k) => {
      const i = Math.floor(k / 2);
      const j = k % 2;
      const dx = Math.abs(a.data[i * 2]! - b.data[j * 2]!);
      const dy = Math.abs(a.data[i * 2 + 1]! - b.data[j * 2 + 1]!);
      return p === 2 ? Math.hypot(dx, dy) : dx + dy;
    }),
    shape: [3, 2],
  });
  close(F.cdist(fromNd(a), fromNd(b)), ref(2));
  close(F.cdist(fromNd(a), fromNd(b), 1), ref(1));
});
c('topk, sort, kthvalue', () => {
  const x = T([3, 1, 4, 1.5, 9, 2], [2, 3]);
  const [tv, ti] = F.topk(x, 2);
  equal(tv, [4, 3, 9, 2], [2, 2]);
  equal(ti, [2, 0, 1, 2], [2, 2], 'int64');
  const [sv, si] = F.topk(x, 1, 0, false);
  equal(sv, [1.5, 1, 2], [1, 3]);
  equal(si, [1, 0, 1]);
  const [ov, oi] = F.sort(x);
  equal(ov, [1, 3, 4, 1.5, 2, 9]);
  equal(oi, [1, 0, 2, 0, 2, 1]);
  const [dv] = F.sort(x, 0, true);
  equal(dv, [3, 9, 4, 1.5, 1, 2]);
  const [kv, ki] = F.kthvalue(x, 2);
  equal(kv, [3, 2], [2]);
  equal(ki, [0, 2]);
  equal(F.kthvalue(x, 1, 0, true)[0], [1.5, 1, 2], [1, 3]);
});

// ---------------------------------------------------------------- neural-network functions
const convCases: [string, number[], number[], R.ConvParams, boolean][] = [
  ['plain', [2, 3, 5, 5], [4, 3, 3, 3], { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }, true],
  ['stride 2 padding 1', [1, 2, 6, 5], [3, 2, 3, 3], { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }, true],
  ['groups 2', [1, 4, 4, 4], [6, 2, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 }, false],
  ['depthwise', [1, 3, 4, 4], [3, 1, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 3 }, true],
  ['dilation 2', [1, 2, 7, 7], [2, 2, 3, 3], { stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 1 }, false],
  ['rectangular', [1, 1, 5, 6], [2, 1, 2, 3], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 1 }, true],
];
for (const [name, xs, ws, p, bias] of convCases) {
  c(`conv2d ${name}`, () => {
    const x = D(xs);
    const w = D(ws, 2);
    const b = bias ? R.distinct(ws[0]!, 3) : null;
    close(F.conv2d(fromNd(x), fromNd(w), b ? T(b) : null, { stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups }), R.conv2d(x, w, b, p));
  });
}
const convTCases: [string, number[], number[], R.ConvParams & { outputPadding: [number, number] }][] = [
  ['plain', [1, 2, 3, 3], [2, 3, 3, 3], { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, outputPadding: [0, 0] }],
  ['stride 2 padding 1 outputPadding 1', [2, 2, 3, 4], [2, 2, 3, 3], { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1, outputPadding: [1, 1] }],
  ['groups 2', [1, 4, 3, 3], [4, 1, 2, 2], { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 2, outputPadding: [0, 0] }],
  ['dilation 2', [1, 1, 3, 3], [1, 2, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [2, 2], groups: 1, outputPadding: [0, 0] }],
];
for (const [name, xs, ws, p] of convTCases) {
  c(`convTranspose2d ${name}`, () => {
    const x = D(xs);
    const w = D(ws, 2);
    const b = R.distinct(ws[1]! * p.groups, 3);
    close(
      F.convTranspose2d(fromNd(x), fromNd(w), T(b), { stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups, outputPadding: p.outputPadding }),
      R.convTranspose2d(x, w, b, p),
    );
  });
}
c('convTranspose2d is the adjoint of conv2d: <conv(x), y> = <x, convT(y)>', () => {
  const x = fromNd(D([1, 2, 5, 5]));
  const w = fromNd(D([3, 2, 3, 3], 2));
  const cx = F.conv2d(x, w, null, { stride: 2, padding: 1 });
  const y = fromNd(D(cx.shape, 3));
  const ty = F.convTranspose2d(y, w, null, { stride: 2, padding: 1 });
  close(cx.mul(y).sum(), [x.mul(ty).sum().item()]);
});
c('groupNorm with and without affine parameters', () => {
  const x = D([2, 4, 2, 3]);
  const w = [1, 2, 0.5, -1];
  const b = [0, 0.1, -0.2, 0.3];
  close(F.groupNorm(fromNd(x), 2, T(w), T(b)), R.groupNorm(x, 2, w, b, 1e-5));
  close(F.groupNorm(fromNd(x), 4, null, null, 1e-3), R.groupNorm(x, 4, [1, 1, 1, 1], [0, 0, 0, 0], 1e-3));
});
c('layerNorm over the last dim and the last two', () => {
  const x = D([3, 4]);
  const w = [1, 2, 0.5, -1];
  const b = [0, 0.1, -0.2, 0.3];
  close(F.layerNorm(fromNd(x), [4], T(w), T(b)), R.layerNorm(x, 4, w, b, 1e-5));
  const y = D([2, 2, 3]);
  close(F.layerNorm(fromNd(y), [2, 3]), R.layerNorm(y, 6, new Array(6).fill(1), new Array(6).fill(0), 1e-5));
});
c('softmax and logSoftmax', () => {
  const x = D([3, 4]);
  close(fromNd(x).softmax(1), R.softmaxRows(x));
  close(F.softmax(fromNd(x), -1), R.softmaxRows(x));
  close(fromNd(x).logSoftmax(1), R.unary(R.softmaxRows(x), Math.log));
  close(F.logSoftmax(fromNd(x).T, 0), { data: R.transpose2(R.unary(R.softmaxRows(x), Math.log)).data, shape: [4, 3] });
  close(T([1000, 1000]).softmax(0), [0.5, 0.5]);
});
c('dropout: identity in eval, zero-or-scaled in training', () => {
  const x = ones([10000], f64);
  equal(F.dropout(T([1, 2, 3]), 0.5, false), [1, 2, 3]);
  const y = F.dropout(x, 0.25, true).toNumbers();
  assert.ok(
    y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-12),
    'kept values scaled by 1/(1−p)',
  );
  const dropped = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(dropped - 0.25) < 0.03, `dropped fraction ${dropped}`);
});
c('embedding looks up rows', () => {
  const w = T([0, 1, 10, 11, 20, 21], [3, 2]);
  equal(F.embedding(w, I([2, 0, 2], [1, 3])), [20, 21, 0, 1, 20, 21], [1, 3, 2]);
});
c('interpolate nearest (up, down, non-integer ratio)', () => {
  for (const [xs, out] of [
    [[1, 2, 2, 3], [4, 6]],
    [[1, 1, 4, 5], [2, 2]],
    [[2, 1, 3, 3], [5, 4]],
  ] as const) {
    const x = D([...xs]);
    close(F.interpolate(fromNd(x), [out[0], out[1]], 'nearest'), R.upsampleNearest(x, out[0], out[1]));
  }
  close(F.interpolate(fromNd(D([1, 1, 2, 2])), [4, 4]), R.upsampleNearest(D([1, 1, 2, 2]), 4, 4)); // nearest by default
});
c('interpolate bilinear with and without alignCorners', () => {
  for (const align of [false, true])
    for (const [xs, out] of [
      [[1, 2, 3, 4], [5, 7]],
      [[1, 1, 4, 4], [2, 3]],
    ] as const) {
      const x = D([...xs]);
      close(F.interpolate(fromNd(x), [out[0], out[1]], 'bilinear', align), R.upsampleBilinear(x, out[0], out[1], align));
    }
});
c('avgPool2d, maxPool2d, adaptiveAvgPool2d', () => {
  const x = D([1, 2, 4, 6]);
  close(F.avgPool2d(fromNd(x), 2), R.pool2d(x, 2, 2, R.mean));
  close(F.maxPool2d(fromNd(x), 2), R.pool2d(x, 2, 2, (v) => Math.max(...v)));
  close(F.maxPool2d(fromNd(x), 3, 1), R.pool2d(x, 3, 1, (v) => Math.max(...v)));
  close(F.avgPool2d(T([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [1, 1, 2, 6]), [2, 3], [2, 3]), { data: [4, 7], shape: [1, 1, 1, 2] });
  // padding counts zeros in the average (count_include_pad, the default)
  close(F.avgPool2d(T([4], [1, 1, 1, 1]), 3, 1, 1), [4 / 9]);
  close(F.maxPool2d(T([-4], [1, 1, 1, 1]), 3, 1, 1), [-4]);
  close(F.adaptiveAvgPool2d(fromNd(x), 1), R.reduce(x, [2, 3], R.mean, true));
  close(F.adaptiveAvgPool2d(fromNd(x), [2, 3]), R.pool2d(x, 2, 2, R.mean));
});
c('pad: constant (incl. negative), reflect, replicate, circular', () => {
  const x = T([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
  equal(F.pad(x, [1, 0]), [0, 1, 2, 3, 0, 4, 5, 6], [1, 1, 2, 4]);
  equal(F.pad(x, [0, 1, 1, 0], 9), [9, 9, 9, 9, 1, 2, 3, 9, 4, 5, 6, 9], [1, 1, 3, 4]);
  equal(F.pad(T([1, 2, 3, 4]), [-1, -1]), [2, 3]);
  equal(F.pad(T([1, 2, 3], [1, 1, 3]), [2, 1], 0, 'reflect'), [3, 2, 1, 2, 3, 2]);
  equal(F.pad(x, [1, 1, 1, 0], 0, 'reflect'), [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5], [1, 1, 3, 5]);
  equal(F.pad(x, [1, 1, 0, 1], 0, 'replicate'), [1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6], [1, 1, 3, 5]);
  equal(F.pad(x, [1, 1, 1, 0], 0, 'circular'), [6, 4, 5, 6, 4, 3, 1, 2, 3, 1, 6, 4, 5, 6, 4], [1, 1, 3, 5]);
  assert.throws(() => F.pad(x, [1, 1], 0, 'wrap' as never), /pad: argument 3 must be/);
});
c('affineGrid against its closed form; identity grid + gridSample reproduces the image', () => {
  const theta = D([2, 2, 3]);
  for (const align of [false, true]) close(F.affineGrid(fromNd(theta), [2, 1, 3, 4], align), R.affineGrid(theta, 2, 3, 4, align));
  const img = D([1, 2, 3, 4]);
  const id = F.affineGrid(T([1, 0, 0, 0, 1, 0], [1, 2, 3]), [1, 2, 3, 4]);
  close(F.gridSample(fromNd(img), id), img, 1e-12);
  close(F.gridSample(fromNd(img), id, 'nearest'), img, 1e-12);
});
c('gridSample bilinear (zeros padding) against the reference; border and reflection stay in range', () => {
  const img = D([2, 2, 3, 4]);
  const grid = R.unary(D([2, 3, 2, 2], 2), (v) => v * 0.7); // partly outside [-1, 1]
  for (const align of [false, true]) close(F.gridSample(fromNd(img), fromNd(grid), 'bilinear', 'zeros', align), R.gridSampleBilinearZeros(img, grid, align));
  const lo = Math.min(...img.data);
  const hi = Math.max(...img.data);
  for (const padding of ['border', 'reflection'] as const) {
    const out = F.gridSample(fromNd(img), fromNd(grid), 'bilinear', padding).toNumbers();
    assert.ok(out.every((v) => v >= lo - 1e-12 && v <= hi + 1e-12), padding);
  }
  // Far outside with border padding: the nearest edge pixel.
  close(F.gridSample(T([1, 2, 3, 4], [1, 1, 2, 2]), T([-5, -5, 5, 5], [1, 1, 2, 2]), 'bilinear', 'border'), [1, 4]);
});
c('losses: mse, cross-entropy (indices, probabilities, smoothing, weights), nll, bce with logits', () => {
  const a = D([2, 3]);
  const b = D([2, 3], 2);
  const sq = R.binary(a, b, (x, y) => (x - y) ** 2);
  close(F.mseLoss(fromNd(a), fromNd(b)), [R.mean(sq.data)]);
  close(F.mseLoss(fromNd(a), fromNd(b), 'sum'), [R.sum(sq.data)]);
  close(F.mseLoss(fromNd(a), fromNd(b), 'none'), sq);

  const logits = D([3, 4]);
  const target = [2, 0, 3];
  const logp = R.unary(R.softmaxRows(logits), Math.log).data;
  const nll = target.map((t, i) => -logp[i * 4 + t]!);
  close(F.crossEntropy(fromNd(logits), I(target)), [R.mean(nll)]);
  close(F.crossEntropy(fromNd(logits), I(target), 'none'), nll);
  close(F.crossEntropy(fromNd(logits), I(target), 'sum'), [R.sum(nll)]);
  const eps = 0.1;
  const smooth = target.map((t, i) => (1 - eps) * -logp[i * 4 + t]! + (eps / 4) * -R.sum(logp.slice(i * 4, i * 4 + 4)));
  close(F.crossEntropy(fromNd(logits), I(target), 'mean', eps), [R.mean(smooth)]);
  const w = [1, 2, 3, 4];
  close(F.crossEntropy(fromNd(logits), I(target), 'mean', 0, T(w)), [R.sum(target.map((t, i) => w[t]! * nll[i]!)) / R.sum(target.map((t) => w[t]!))]);
  const probs = R.softmaxRows(D([3, 4], 2)).data;
  close(F.crossEntropy(fromNd(logits), T(probs, [3, 4])), [R.mean([0, 1, 2].map((i) => -R.sum([0, 1, 2, 3].map((k) => probs[i * 4 + k]! * logp[i * 4 + k]!))))]);
  close(F.nllLoss(T(logp, [3, 4]), I(target)), [R.mean(nll)]);
  close(F.nllLoss(T(logp, [3, 4]), I(target), 'sum', T(w)), [R.sum(target.map((t, i) => w[t]! * nll[i]!))]);

  const x = D([2, 3]).data;
  const y = [1, 0, 1, 0, 0.5, 1];
  const pw = [2, 1, 0.5];
  const sp = (v: number) => Math.log1p(Math.exp(v)); // −log σ(−v)
  const bce = x.map((v, i) => y[i]! * sp(-v) + (1 - y[i]!) * sp(v));
  close(F.bceWithLogits(T(x, [2, 3]), T(y, [2, 3])), [R.mean(bce)]);
  const bcePw = x.map((v, i) => pw[i % 3]! * y[i]! * sp(-v) + (1 - y[i]!) * sp(v));
  close(F.bceWithLogits(T(x, [2, 3]), T(y, [2, 3]), 'none', null, T(pw)), bcePw);
  close(F.bceWithLogits(T(x, [2, 3]), T(y, [2, 3]), 'sum', T([2, 2, 2, 1, 1, 1], [2, 3])), [R.sum(bce.map((v, i) => (i < 3 ? 2 : 1) * v))]);
});
c('scaledDotProductAttention equals softmax(q kᵀ/√d + mask) v; bool mask blocks keys', () => {
  const q = D([3, 4]);
  const k = D([5, 4], 2);
  const v = D([5, 2], 3);
  const scores = R.unary(R.matmul2(q, R.transpose2(k)), (s) => s / 2);
  close(F.scaledDotProductAttention(fromNd(q), fromNd(k), fromNd(v)), R.matmul2(R.softmaxRows(scores), v));
  const mask = D([3, 5], 4);
  close(F.scaledDotProductAttention(fromNd(q), fromNd(k), fromNd(v), fromNd(mask)), R.matmul2(R.softmaxRows(R.binary(scores, mask, (a, b) => a + b)), v));
  const allow = [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1];
  const blocked = R.binary(scores, { data: allow, shape: [3, 5] }, (s, m) => (m ? s : -Infinity));
  close(F.scaledDotProductAttention(fromNd(q), fromNd(k), fromNd(v), B(allow, [3, 5])), R.matmul2(R.softmaxRows(blocked), v));
  // batched [B, heads, L, d]
  const qb = T([...q.data, ...q.data], [2, 1, 3, 4]);
  const out = F.scaledDotProductAttention(qb, fromNd(k), fromNd(v));
  assert.deepEqual(out.shape, [2, 1, 3, 2]);
});

// ---------------------------------------------------------------- in place
c('add_, mul_, copy_, lerp_, fill_, zero_ update in place without recording gradients', () => {
  const x = T([1, 2]);
  x.add_(T([10, 20]));
  equal(x, [11, 22]);
  x.add_(T([1, 1]), -2);
  equal(x, [9, 20]);
  x.add_(1);
  equal(x, [10, 21]);
  x.mul_(2);
  equal(x, [20, 42]);
  x.mul_(T([0.5, 2]));
  equal(x, [10, 84]);
  x.copy_(T([1, 2]));
  equal(x, [1, 2]);
  x.lerp_(T([3, 6]), 0.25);
  equal(x, [1.5, 3]);
  x.lerp_(T([0, 0]), 1);
  equal(x, [0, 0]);
  x.fill_(7);
  equal(x, [7, 7]);
  x.zero_();
  equal(x, [0, 0]);
  const p = T([1, 2]).requiresGrad_();
  p.mul_(3); // a leaf that requires grad can still be updated (EMA, surgery)
  equal(p, [3, 6]);
  assert.ok(p.isLeaf);
  const y = p.mul(2).sum();
  y.backward();
  equal(p.grad!, [2, 2]);
});
c('noGrad turns gradient recording off for a block and restores it', () => {
  const p = T([1]).requiresGrad_();
  const y = noGrad(() => p.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(p.mul(2).requiresGrad, true);
  assert.throws(() =>
    noGrad(() => {
      throw new Error('boom');
    }),
  );
  assert.equal(p.mul(2).requiresGrad, true, 'restored after a throw');
});

// ---------------------------------------------------------------- errors
c('a shape mismatch is a JS Error that names the op', () => {
  const a = T([1, 2, 3]);
  const checks: [() => unknown, RegExp][] = [
    [() => a.add(T([1, 2])), /^add: .*size of tensor a \(3\) must match/],
    [() => T([1, 2, 3, 4], [2, 2]).matmul(T([1, 2, 3], [3, 1])), /^matmul: .*cannot be multiplied/],
    [() => F.conv2d(zeros([1, 3, 4, 4]), zeros([2, 2, 3, 3]), null), /^conv2d: /],
    [() => cat([zeros([2, 2]), zeros([3, 3])], 0), /^cat: .*Sizes of tensors must match/],
    [() => a.reshape([2, 2]), /^reshape: shape '\[2, 2\]' is invalid/],
    [() => F.linear(zeros([2, 3]), zeros([4, 2])), /^linear: /],
    [() => a.gather(0, I([5])), /^gather: .*out of bounds/],
    [() => F.crossEntropy(zeros([2, 3]), I([0, 3])), /^crossEntropy: .*out of bounds/],
    [() => a.item(), /^item: .*3 elements/],
    [() => tensor(new Float32Array(3), [2, 2]), /^fromArray: argument 1 shape holds 4 elements but the array has 3/],
    [() => F.conv2d(zeros([1, 1, 3, 3]), 3 as never, null), /^conv2d: argument 1 must be a tensor/],
    [() => zeros([2], { dtype: 'float8' as never }), /unknown dtype 'float8'/],
  ];
  for (const [fn, re] of checks) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof Error, 'a JS Error');
      assert.match(e.message, re);
      return true;
    });
  }
});
c('a disposed tensor throws "used after dispose" wherever it is used', () => {
  const a = T([1, 2]);
  const b = T([3, 4]);
  a.dispose();
  assert.equal(a.isDisposed, true);
  a.dispose(); // twice is harmless
  assert.throws(() => a.add(b), /add: argument 0 is a tensor used after dispose/);
  assert.throws(() => b.add(a), /add: argument 1 is a tensor used after dispose/);
  assert.throws(() => cat([b, a]), /cat: argument 0\[1\] is a tensor used after dispose/);
  assert.throws(() => a.toArray(), /used after dispose/);
  assert.throws(() => a.item(), /used after dispose/);
  assert.throws(() => a.shape, /used after dispose/);
  assert.throws(() => a.backward(), /used after dispose/);
  assert.throws(() => a.requiresGrad_(), /used after dispose/);
});

for (const [name, run] of cases) test(name, () => tidy(run));

test('every op in native/ops.cc was called by the table above', () => {
  const missing = Object.keys(native.ops).filter((n) => !called.has(n) && !CHECKED_ELSEWHERE.has(n));
  assert.deepEqual(missing, [], `ops without a forward test: ${missing.join(', ')}`);
});
