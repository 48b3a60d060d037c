// Every differentiable op of the native table against central finite differences
// in float64 (gradcheck.ts), plus torch.autograd.grad (incl. create_graph) and
// gradient-norm clipping against closed forms. The last test checks that the
// table exercised every differentiable op the addon binds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, type Tensor, cat, clipGradNorm, grad, undisposedTensorCount, manualSeed, stack, tensor, tidy, where } from '../../src/engine/index.js';
import { native } from '../../src/engine/native.js';
import { type GradcheckOptions, gradcheck } from './gradcheck.js';
import { distinct } from './reference.js';

// ---------------------------------------------------------------- which ops ran
const called = new Set<string>();
for (const name of Object.keys(native.ops)) {
  const f = native.ops[name]!;
  native.ops[name] = (...args: unknown[]) => {
    called.add(name);
    return f(...args);
  };
}

/** Ops with no gradient to check: constructors, comparisons, indices, in-place updates, autograd utilities. */
const NOT_DIFFERENTIABLE = new Set([
  'fromArray', 'scalar', 'zeros', 'ones', 'full', 'empty', 'arange', 'linspace', 'eye', 'zerosLike', 'onesLike', 'fullLike',
  'randn', 'rand', 'randint', 'randperm', 'randnLike', 'bernoulli', 'multinomial', 'toDevice', 'detach',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalNot', 'isnan', 'isfinite', 'argmax', 'argmin', 'all', 'any', 'oneHot',
  'add_', 'mul_', 'copy_', 'lerp_', 'fill_', 'zero_', 'autogradGrad', 'clipGradNorm',
]);

// ---------------------------------------------------------------- inputs
const f64 = { dtype: 'float64' } as const;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** Distinct, well-separated values in about [-2, 2] (no ties or zeros: safe at kinks). */
const d = (shape: number[], seed = 1, shift = 0) => tensor(distinct(size(shape), seed).map((v) => v + shift), shape, f64);
/** Positive values in about [0.5, 2.5]. */
const pos = (shape: number[], seed = 1) => tensor(distinct(size(shape), seed).map((v) => v / 2 + 1.5), shape, f64);
const idx = (values: number[], shape = [values.length]) => tensor(values, shape, { dtype: 'int64' });
const bool = (values: number[], shape = [values.length]) => tensor(values, shape, { dtype: 'bool' });

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  inputs: () => Tensor[];
  opts?: GradcheckOptions;
}

const cases: Case[] = [
  // ---- elementwise binary, with broadcasting and number operands
  { name: 'add broadcast [2,3]+[3]', fn: (a, b) => a.add(b), inputs: () => [d([2, 3]), d([3], 2)] },
  { name: 'add number', fn: (a) => a.add(1.5), inputs: () => [d([4])] },
  { name: 'sub broadcast [2,1,3]-[4,1]', fn: (a, b) => a.sub(b), inputs: () => [d([2, 1, 3]), d([4, 1], 2)] },
  { name: 'sub number', fn: (a) => a.sub(0.25), inputs: () => [d([3])] },
  { name: 'rsub', fn: (a) => a.rsub(2), inputs: () => [d([3])] },
  { name: 'mul broadcast', fn: (a, b) => a.mul(b), inputs: () => [d([3, 2]), d([3, 1], 2)] },
  { name: 'mul number', fn: (a) => a.mul(-3), inputs: () => [d([3])] },
  { name: 'div broadcast', fn: (a, b) => a.div(b), inputs: () => [d([2, 3]), pos([3], 2)] },
  { name: 'div number', fn: (a) => a.div(4), inputs: () => [d([3])] },
  { name: 'pow tensor^tensor', fn: (a, b) => a.pow(b), inputs: () => [pos([2, 3]), d([2, 3], 3)] },
  { name: 'pow tensor^3', fn: (a) => a.pow(3), inputs: () => [d([4])] },
  { name: 'pow tensor^0.5', fn: (a) => a.pow(0.5), inputs: () => [pos([4])] },
  { name: 'remainder', fn: (a) => a.remainder(1.5), inputs: () => [d([5])] },
  { name: 'maximum', fn: (a, b) => a.maximum(b), inputs: () => [d([2, 3]), d([2, 3], 2, 0.013)] },
  { name: 'minimum', fn: (a, b) => a.minimum(b), inputs: () => [d([2, 3]), d([2, 3], 2, 0.013)] },
  { name: 'atan2', fn: (a, b) => F.atan2(a, b), inputs: () => [d([2, 3]), d([2, 3], 2, 0.013)] },

  // ---- elementwise unary
  ...(
    [
      ['neg', (x: Tensor) => x.neg()],
      ['exp', (x: Tensor) => x.exp()],
      ['sin', (x: Tensor) => x.sin()],
      ['cos', (x: Tensor) => x.cos()],
      ['tanh', (x: Tensor) => x.tanh()],
      ['sigmoid', (x: Tensor) => x.sigmoid()],
      ['silu', (x: Tensor) => x.silu()],
      ['square', (x: Tensor) => x.square()],
      ['abs', (x: Tensor) => x.abs()],
      ['relu', (x: Tensor) => x.relu()],
      ['sign', (x: Tensor) => x.sign()],
      ['floor', (x: Tensor) => x.floor()],
      ['ceil', (x: Tensor) => x.ceil()],
      ['round', (x: Tensor) => x.round()],
      ['expm1', (x: Tensor) => x.expm1()],
      ['erf', (x: Tensor) => x.erf()],
      ['reciprocal', (x: Tensor) => x.reciprocal()],
      ['logSigmoid', (x: Tensor) => F.logSigmoid(x)],
      ['gelu', (x: Tensor) => x.gelu()],
      ['gelu tanh', (x: Tensor) => x.gelu('tanh')],
      ['softplus beta 2', (x: Tensor) => F.softplus(x, 2)],
      ['softplus threshold', (x: Tensor) => F.softplus(x, 1, 1)],
      ['leakyRelu', (x: Tensor) => F.leakyRelu(x, 0.1)],
    ] as const
  ).map(([name, fn]): Case => ({ name, fn, inputs: () => [d([2, 5])] })),
  { name: 'log', fn: (x) => x.log(), inputs: () => [pos([5])] },
  { name: 'log1p', fn: (x) => x.log1p(), inputs: () => [pos([5])] },
  { name: 'sqrt', fn: (x) => x.sqrt(), inputs: () => [pos([5])] },
  { name: 'rsqrt', fn: (x) => x.rsqrt(), inputs: () => [pos([5])] },

  // ---- reductions
  { name: 'sum all', fn: (x) => x.sum(), inputs: () => [d([2, 3])] },
  { name: 'sum dims keepdim', fn: (x) => x.sum([0, 2], true), inputs: () => [d([2, 3, 2])] },
  { name: 'mean all', fn: (x) => x.mean(), inputs: () => [d([2, 3])] },
  { name: 'mean dim', fn: (x) => x.mean(1), inputs: () => [d([2, 3])] },
  { name: 'amax all', fn: (x) => x.amax(), inputs: () => [d([2, 3])] },
  { name: 'amax dim keepdim', fn: (x) => x.amax(1, true), inputs: () => [d([2, 3])] },
  { name: 'amin dim', fn: (x) => x.amin(0), inputs: () => [d([2, 3])] },
  { name: 'maxDim values', fn: (x) => x.maxDim(1)[0], inputs: () => [d([3, 4])] },
  { name: 'minDim values', fn: (x) => x.minDim(0, true)[0], inputs: () => [d([3, 4])] },
  { name: 'var all', fn: (x) => x.var(), inputs: () => [d([2, 3])] },
  { name: 'var dims biased keepdim', fn: (x) => x.var([1], false, true), inputs: () => [d([2, 4])] },
  { name: 'std all', fn: (x) => x.std(), inputs: () => [d([2, 3])] },
  { name: 'std dim', fn: (x) => x.std(0), inputs: () => [d([3, 2])] },
  { name: 'logsumexp', fn: (x) => x.logsumexp(1), inputs: () => [d([2, 4])] },
  { name: 'norm 2 all', fn: (x) => x.norm(), inputs: () => [d([2, 3])] },
  { name: 'norm 1 dim', fn: (x) => x.norm(1, 1), inputs: () => [d([2, 3])] },
  { name: 'norm 3 dims keepdim', fn: (x) => x.norm(3, [0, 1], true), inputs: () => [d([2, 3])] },
  { name: 'cumsum', fn: (x) => x.cumsum(1), inputs: () => [d([2, 4])] },
  { name: 'prod all', fn: (x) => x.prod(), inputs: () => [d([5])] },
  { name: 'prod dim', fn: (x) => x.prod(1, true), inputs: () => [d([2, 3])] },

  // ---- shape and indexing
  { name: 'reshape', fn: (x) => x.reshape([3, 2]).mul(tensor([1, 2, 3, 4, 5, 6], [3, 2], f64)), inputs: () => [d([2, 3])] },
  { name: 'permute', fn: (x) => x.permute([2, 0, 1]), inputs: () => [d([2, 3, 2])] },
  { name: 'transpose + contiguous', fn: (x) => x.transpose(0, 1).contiguous(), inputs: () => [d([2, 3])] },
  { name: 'squeeze dim / all', fn: (x) => [x.squeeze(1), x.squeeze()], inputs: () => [d([2, 1, 3])] },
  { name: 'unsqueeze + flatten', fn: (x) => x.unsqueeze(1).flatten(1), inputs: () => [d([2, 3])] },
  { name: 'expand', fn: (x) => x.expand([4, 2, 3]), inputs: () => [d([2, 1])] },
  { name: 'cat', fn: (a, b) => cat([a, b], 1), inputs: () => [d([2, 2]), d([2, 3], 2)] },
  { name: 'stack', fn: (a, b) => stack([a, b], 1), inputs: () => [d([2, 3]), d([2, 3], 2)] },
  { name: 'slice with step', fn: (x) => x.slice(1, 1, null, 2), inputs: () => [d([2, 6])] },
  { name: 'narrow', fn: (x) => x.narrow(0, 1, 2), inputs: () => [d([4, 2])] },
  { name: 'select', fn: (x) => x.select(1, 2), inputs: () => [d([2, 4])] },
  { name: 'indexSelect (repeated index)', fn: (x) => x.indexSelect(1, idx([2, 0, 2])), inputs: () => [d([2, 3])] },
  { name: 'index by int64', fn: (x) => x.index(idx([1, 1, 0])), inputs: () => [d([3, 2])] },
  { name: 'index by bool mask', fn: (x) => x.index(bool([1, 0, 1])), inputs: () => [d([3, 2])] },
  { name: 'indexPut', fn: (x, v) => x.indexPut(idx([2, 0]), v), inputs: () => [d([3, 2]), d([2, 2], 2)] },
  { name: 'gather', fn: (x) => x.gather(1, idx([0, 2, 2, 1], [2, 2])), inputs: () => [d([2, 3])] },
  { name: 'scatter', fn: (x, s) => x.scatter(1, idx([2, 0, 1, 2], [2, 2]), s), inputs: () => [d([2, 3]), d([2, 2], 2)] },
  { name: 'scatterAdd', fn: (x, s) => x.scatterAdd(1, idx([2, 2, 0, 1], [2, 2]), s), inputs: () => [d([2, 3]), d([2, 2], 2)] },
  { name: 'repeat', fn: (x) => x.repeat([2, 3]), inputs: () => [d([2, 2])] },
  { name: 'repeatInterleave', fn: (x) => x.repeatInterleave(2, 1), inputs: () => [d([2, 3])] },
  { name: 'flip', fn: (x) => x.flip([0, 1]), inputs: () => [d([2, 3])] },
  { name: 'roll', fn: (x) => x.roll([1, -1], [0, 1]), inputs: () => [d([2, 3])] },
  { name: 'chunk', fn: (x) => x.chunk(2, 1), inputs: () => [d([2, 4])] },
  { name: 'split', fn: (x) => x.split([1, 3], 1), inputs: () => [d([2, 4])] },
  { name: 'where tensors', fn: (a, b) => where(bool([1, 0, 0, 1, 1, 0], [2, 3]), a, b), inputs: () => [d([2, 3]), d([2, 3], 2)] },
  { name: 'where number branch', fn: (a) => where(bool([1, 0, 1]), a, 0.5), inputs: () => [d([3])] },
  { name: 'clamp min max', fn: (x) => x.clamp(-0.55, 0.95), inputs: () => [d([2, 5])] },
  { name: 'clamp min only', fn: (x) => x.clamp(0.05), inputs: () => [d([2, 5])] },
  { name: 'maskedFill', fn: (x) => x.maskedFill(bool([0, 1, 1, 0], [2, 2]), 3), inputs: () => [d([2, 2])] },
  { name: 'tril / triu', fn: (x) => [x.tril(), x.triu(1)], inputs: () => [d([3, 3])] },
  { name: 'diag', fn: (x, v) => [x.diag(), v.diag(1)], inputs: () => [d([3, 3]), d([2], 2)] },
  { name: 'clone / to float64', fn: (x) => x.clone().to('float64'), inputs: () => [d([3])] },

  // ---- linear algebra
  { name: 'matmul 2d', fn: (a, b) => a.matmul(b), inputs: () => [d([2, 3]), d([3, 4], 2)] },
  { name: 'matmul batched broadcast', fn: (a, b) => a.matmul(b), inputs: () => [d([2, 2, 3]), d([3, 2], 2)] },
  { name: 'matmul matrix-vector', fn: (a, b) => a.matmul(b), inputs: () => [d([2, 3]), d([3], 2)] },
  { name: 'bmm', fn: (a, b) => a.bmm(b), inputs: () => [d([2, 2, 3]), d([2, 3, 2], 2)] },
  { name: 'linear with bias', fn: (x, w, b) => F.linear(x, w, b), inputs: () => [d([2, 3]), d([4, 3], 2), d([4], 3)] },
  { name: 'linear without bias', fn: (x, w) => F.linear(x, w), inputs: () => [d([2, 3]), d([4, 3], 2)] },
  { name: 'einsum batched matmul', fn: (a, b) => F.einsum('bij,bjk->bik', [a, b]), inputs: () => [d([2, 2, 3]), d([2, 3, 2], 2)] },
  { name: 'einsum trace + outer', fn: (a, u, v) => [F.einsum('ii->', [a]), F.einsum('i,j->ij', [u, v])], inputs: () => [d([3, 3]), d([2], 2), d([3], 3)] },
  {
    name: 'eigh (values and sign-free vector outer products)',
    fn: (x) => {
      const [vals, vecs] = F.eigh(x.add(x.T).mul(0.5));
      return [vals, F.einsum('ik,jk->kij', [vecs, vecs])];
    },
    inputs: () => [d([3, 3])],
    opts: { rtol: 1e-5 },
  },
  { name: 'cdist p=2', fn: (a, b) => F.cdist(a, b), inputs: () => [d([3, 2]), d([4, 2], 2, 0.013)] },
  { name: 'cdist p=1', fn: (a, b) => F.cdist(a, b, 1), inputs: () => [d([3, 2]), d([2, 2], 2, 0.013)] },
  { name: 'topk values', fn: (x) => F.topk(x, 2)[0], inputs: () => [d([2, 5])] },
  { name: 'topk smallest unsorted dim 0', fn: (x) => F.sort(F.topk(x, 2, 0, false, false)[0], 0)[0], inputs: () => [d([4, 2])] },
  { name: 'sort values descending', fn: (x) => F.sort(x, 1, true)[0], inputs: () => [d([2, 4])] },
  { name: 'kthvalue', fn: (x) => F.kthvalue(x, 2, 1)[0], inputs: () => [d([2, 4])] },

  // ---- neural-network functions
  { name: 'conv2d', fn: (x, w, b) => F.conv2d(x, w, b), inputs: () => [d([1, 2, 4, 4]), d([3, 2, 3, 3], 2), d([3], 3)] },
  { name: 'conv2d stride 2 padding 1', fn: (x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 }), inputs: () => [d([2, 2, 5, 5]), d([2, 2, 3, 3], 2)] },
  { name: 'conv2d groups 2', fn: (x, w, b) => F.conv2d(x, w, b, { groups: 2, padding: 1 }), inputs: () => [d([1, 4, 4, 4]), d([4, 2, 3, 3], 2), d([4], 3)] },
  { name: 'conv2d dilation 2', fn: (x, w) => F.conv2d(x, w, null, { dilation: 2, padding: 2 }), inputs: () => [d([1, 2, 5, 5]), d([2, 2, 3, 3], 2)] },
  { name: 'conv2d rectangular stride/padding', fn: (x, w) => F.conv2d(x, w, null, { stride: [1, 2], padding: [0, 1] }), inputs: () => [d([1, 1, 4, 5]), d([2, 1, 2, 3], 2)] },
  {
    name: 'convTranspose2d stride 2 outputPadding 1',
    fn: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
    inputs: () => [d([1, 2, 3, 3]), d([2, 3, 3, 3], 2), d([3], 3)],
  },
  { name: 'convTranspose2d groups 2', fn: (x, w) => F.convTranspose2d(x, w, null, { groups: 2 }), inputs: () => [d([1, 4, 3, 3]), d([4, 1, 2, 2], 2)] },
  { name: 'convTranspose2d dilation 2', fn: (x, w) => F.convTranspose2d(x, w, null, { dilation: 2, padding: 1 }), inputs: () => [d([1, 1, 3, 3]), d([1, 2, 3, 3], 2)] },
  { name: 'groupNorm affine', fn: (x, w, b) => F.groupNorm(x, 2, w, b), inputs: () => [d([2, 4, 2, 2]), d([4], 2), d([4], 3)], opts: { rtol: 1e-5 } },
  { name: 'groupNorm plain', fn: (x) => F.groupNorm(x, 3, null, null, 1e-3), inputs: () => [d([1, 3, 3])], opts: { rtol: 1e-5 } },
  { name: 'layerNorm affine', fn: (x, w, b) => F.layerNorm(x, [4], w, b), inputs: () => [d([3, 4]), d([4], 2), d([4], 3)], opts: { rtol: 1e-5 } },
  { name: 'layerNorm over 2 dims', fn: (x) => F.layerNorm(x, [2, 3]), inputs: () => [d([2, 2, 3])], opts: { rtol: 1e-5 } },
  { name: 'softmax', fn: (x) => x.softmax(1), inputs: () => [d([2, 4])] },
  { name: 'logSoftmax dim 0', fn: (x) => F.logSoftmax(x, 0), inputs: () => [d([3, 2])] },
  {
    name: 'dropout (fixed mask)',
    fn: (x) => {
      manualSeed(7);
      return F.dropout(x, 0.4, true);
    },
    inputs: () => [d([3, 4])],
  },
  { name: 'embedding', fn: (w) => F.embedding(w, idx([2, 0, 2, 3], [2, 2])), inputs: () => [d([4, 3])] },
  { name: 'interpolate nearest up', fn: (x) => F.interpolate(x, [4, 6], 'nearest'), inputs: () => [d([1, 2, 2, 3])] },
  { name: 'interpolate nearest down', fn: (x) => F.interpolate(x, [2, 2], 'nearest'), inputs: () => [d([1, 1, 4, 5])] },
  { name: 'interpolate bilinear', fn: (x) => F.interpolate(x, [5, 7], 'bilinear'), inputs: () => [d([1, 2, 3, 4])] },
  { name: 'interpolate bilinear alignCorners', fn: (x) => F.interpolate(x, [5, 3], 'bilinear', true), inputs: () => [d([2, 1, 3, 4])] },
  { name: 'avgPool2d', fn: (x) => F.avgPool2d(x, 2), inputs: () => [d([1, 2, 4, 4])] },
  { name: 'avgPool2d stride 1 padding 1', fn: (x) => F.avgPool2d(x, 3, 1, 1), inputs: () => [d([1, 1, 4, 4])] },
  { name: 'maxPool2d', fn: (x) => F.maxPool2d(x, 2), inputs: () => [d([1, 2, 4, 4])] },
  { name: 'maxPool2d overlapping', fn: (x) => F.maxPool2d(x, 3, 1, 1), inputs: () => [d([1, 1, 4, 4])] },
  { name: 'adaptiveAvgPool2d', fn: (x) => F.adaptiveAvgPool2d(x, [2, 3]), inputs: () => [d([1, 2, 5, 7])] },
  { name: 'pad constant', fn: (x) => F.pad(x, [1, 2, 0, 1], 0.5), inputs: () => [d([1, 1, 2, 3])] },
  { name: 'pad negative (crop)', fn: (x) => F.pad(x, [-1, 1]), inputs: () => [d([2, 4])] },
  { name: 'pad reflect', fn: (x) => F.pad(x, [2, 1, 1, 1], 0, 'reflect'), inputs: () => [d([1, 1, 3, 4])] },
  { name: 'pad replicate', fn: (x) => F.pad(x, [1, 1, 2, 0], 0, 'replicate'), inputs: () => [d([1, 2, 2, 3])] },
  { name: 'pad circular', fn: (x) => F.pad(x, [1, 2, 1, 0], 0, 'circular'), inputs: () => [d([1, 1, 3, 3])] },
  { name: 'affineGrid', fn: (t) => F.affineGrid(t, [2, 1, 3, 4]), inputs: () => [d([2, 2, 3])] },
  { name: 'affineGrid alignCorners', fn: (t) => F.affineGrid(t, [1, 2, 2, 3], true), inputs: () => [d([1, 2, 3])] },
  // Grid points stay off pixel centres, where bilinear weights have kinks.
  { name: 'gridSample bilinear zeros', fn: (x, g) => F.gridSample(x, g), inputs: () => [d([1, 2, 3, 4]), d([1, 2, 3, 2], 2).mul(0.55)] },
  { name: 'gridSample bilinear border', fn: (x, g) => F.gridSample(x, g, 'bilinear', 'border'), inputs: () => [d([1, 1, 3, 3]), d([1, 3, 2, 2], 2).mul(0.61)] },
  { name: 'gridSample bilinear reflection alignCorners', fn: (x, g) => F.gridSample(x, g, 'bilinear', 'reflection', true), inputs: () => [d([1, 1, 3, 3]), d([1, 2, 2, 2], 2).mul(0.57)] },
  { name: 'gridSample nearest (input)', fn: (x, g) => F.gridSample(x, g, 'nearest'), inputs: () => [d([1, 1, 3, 4]), d([1, 2, 2, 2], 2).mul(0.55)], opts: { wrt: [0] } },
  { name: 'mseLoss mean', fn: (a, b) => F.mseLoss(a, b), inputs: () => [d([2, 3]), d([2, 3], 2)] },
  { name: 'mseLoss sum / none', fn: (a, b) => [F.mseLoss(a, b, 'sum'), F.mseLoss(a, b, 'none')], inputs: () => [d([2, 3]), d([2, 3], 2)] },
  { name: 'crossEntropy', fn: (x) => F.crossEntropy(x, idx([2, 0, 1])), inputs: () => [d([3, 4])] },
  { name: 'crossEntropy label smoothing + weight', fn: (x, w) => F.crossEntropy(x, idx([2, 0, 1]), 'mean', 0.1, w), inputs: () => [d([3, 4]), pos([4], 2)], opts: { wrt: [0] } },
  { name: 'crossEntropy probabilities', fn: (x, p) => F.crossEntropy(x, p.softmax(1), 'sum'), inputs: () => [d([2, 3]), d([2, 3], 2)] },
  { name: 'crossEntropy NCHW none', fn: (x) => F.crossEntropy(x, idx([0, 2, 1, 1], [1, 2, 2]), 'none'), inputs: () => [d([1, 3, 2, 2])] },
  { name: 'nllLoss', fn: (x) => F.nllLoss(x.logSoftmax(1), idx([1, 0, 3])), inputs: () => [d([3, 4])] },
  { name: 'nllLoss weight sum', fn: (x) => F.nllLoss(x, idx([1, 0, 3]), 'sum', tensor([1, 2, 3, 4], [4], f64)), inputs: () => [d([3, 4])] },
  { name: 'bceWithLogits', fn: (x, y) => F.bceWithLogits(x, y.sigmoid()), inputs: () => [d([2, 3]), d([2, 3], 2)] },
  {
    name: 'bceWithLogits weight + posWeight',
    fn: (x, w, pw) => F.bceWithLogits(x, tensor([1, 0, 1, 0, 0, 1], [2, 3], f64), 'sum', w, pw),
    inputs: () => [d([2, 3]), pos([2, 3], 2), pos([3], 3)],
    opts: { wrt: [0] }, // libtorch differentiates BCE with respect to the logits only
  },
  { name: 'scaledDotProductAttention', fn: (q, k, v) => F.scaledDotProductAttention(q, k, v), inputs: () => [d([2, 3, 4]), d([2, 5, 4], 2), d([2, 5, 2], 3)] },
  {
    name: 'scaledDotProductAttention with masks',
    fn: (q, k, v, m) => [F.scaledDotProductAttention(q, k, v, m), F.scaledDotProductAttention(q, k, v, bool([1, 0, 1, 1, 1, 0], [2, 3]))],
    inputs: () => [d([2, 4]), d([3, 4], 2), d([3, 2], 3), d([2, 3], 4)],
  },
];

for (const c of cases) {
  test(`gradcheck: ${c.name}`, () => {
    const before = undisposedTensorCount();
    const inputs = tidy(() => c.inputs());
    try {
      const r = gradcheck(c.fn, inputs, c.opts);
      assert.ok(r.checked > 0);
    } finally {
      for (const t of inputs) t.dispose();
    }
    assert.equal(undisposedTensorCount(), before, 'gradcheck leaked tensors');
  });
}

// ---------------------------------------------------------------- autograd API and clipping

test('grad(): first and second derivative of x³ with createGraph', () => {
  tidy(() => {
    const x = tensor([0.5, -1.5, 2], [3], f64).requiresGrad_();
    const y = x.pow(3).sum();
    const [dx] = grad([y], [x], { createGraph: true });
    assert.deepEqual(dx!.toNumbers(), [0.75, 6.75, 12]); // 3x²
    assert.ok(dx!.requiresGrad, 'createGraph keeps the gradient differentiable');
    const [d2x] = grad([dx!.sum()], [x]);
    assert.deepEqual(d2x!.toNumbers(), [3, -9, 12]); // 6x
  });
});

test('grad(): gradOutputs weight the outputs, allowUnused gives null, retainGraph allows a second pass', () => {
  tidy(() => {
    const x = tensor([1, 2], [2], f64).requiresGrad_();
    const unused = tensor([3], [1], f64).requiresGrad_();
    const y = x.mul(x); // dy/dx = 2x, elementwise
    const [g, none] = grad([y], [x, unused], { gradOutputs: [tensor([10, 100], [2], f64)], allowUnused: true, retainGraph: true });
    assert.deepEqual(g!.toNumbers(), [20, 400]);
    assert.equal(none, null);
    const [again] = grad([y.sum()], [x]);
    assert.deepEqual(again!.toNumbers(), [2, 4]);
    assert.throws(() => grad([y.sum()], [unused]), /grad|differentiated|used/i);
  });
});

test('backward() accumulates into .grad of leaves until cleared', () => {
  tidy(() => {
    const x = tensor([1, -2], [2], f64).requiresGrad_();
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.toNumbers(), [3 + 2, 3 - 4]);
    x.clearGrad();
    assert.equal(x.grad, null);
    assert.throws(() => x.mul(2).backward(), /backward: .*scalar/);
  });
});

test('clipGradNorm rescales to the closed form and returns the norm before clipping', () => {
  tidy(() => {
    const a = tensor([0, 0], [2], f64).requiresGrad_();
    const b = tensor([0], [1], f64).requiresGrad_();
    a.mul(tensor([3, 4], [2], f64)).sum().backward(); // grad a = [3, 4]
    b.mul(12).sum().backward(); // grad b = [12]; global L2 norm 13
    const norm = clipGradNorm([a, b], 6.5);
    assert.ok(Math.abs(norm - 13) < 1e-12, `norm ${norm}`);
    const scale = 6.5 / (13 + 1e-6); // torch: max_norm / (total_norm + 1e-6)
    assert.deepEqual(
      [...a.grad!.toNumbers(), ...b.grad!.toNumbers()].map((v) => +v.toFixed(12)),
      [3 * scale, 4 * scale, 12 * scale].map((v) => +v.toFixed(12)),
    );
    // Under the bound: untouched. Max-norm (p = ∞) reports the largest magnitude.
    assert.ok(Math.abs(clipGradNorm([a, b], 100) - 6.5) < 1e-5);
    assert.ok(Math.abs(clipGradNorm([a, b], 100, Infinity) - 12 * scale) < 1e-12);
  });
});

// ---------------------------------------------------------------- coverage of the op table

test('every differentiable op in native/ops.cc was gradient-checked above', () => {
  const missing = Object.keys(native.ops).filter((n) => !NOT_DIFFERENTIABLE.has(n) && !called.has(n));
  assert.deepEqual(missing, [], `ops without a gradient check: ${missing.join(', ')}`);
});
