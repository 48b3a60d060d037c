// Free functions over tensors, as torch and torch.nn.functional name them.
import { native } from './native.js';
import { tidy } from './scope.js';
import { type Tensor, wrap, wrapList } from './tensor.js';

const ops = native.ops;
const hs = (ts: Tensor[]) => ts.map((t) => t.handle);
const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

export function cat(ts: Tensor[], dim = 0): Tensor {
  return wrap(ops.cat!(hs(ts), dim));
}
export function stack(ts: Tensor[], dim = 0): Tensor {
  return wrap(ops.stack!(hs(ts), dim));
}
/** Elementwise `cond ? a : b`; either side may be a number. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  return wrap(ops.where!(cond.handle, typeof a === 'number' ? a : a.handle, typeof b === 'number' ? b : b.handle));
}
export function maximum(a: Tensor, b: Tensor): Tensor {
  return a.maximum(b);
}
export function minimum(a: Tensor, b: Tensor): Tensor {
  return a.minimum(b);
}
export function atan2(y: Tensor, x: Tensor): Tensor {
  return y.atan2(x);
}
export function einsum(equation: string, ts: Tensor[]): Tensor {
  return wrap(ops.einsum!(equation, hs(ts)));
}
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return wrap(ops.linear!(x.handle, weight.handle, bias ? bias.handle : null));
}
/** Symmetric eigen-decomposition: [eigenvalues ascending, eigenvectors as columns]. */
export function eigh(a: Tensor): [Tensor, Tensor] {
  return wrapList(ops.eigh!(a.handle)) as [Tensor, Tensor];
}
export function cdist(a: Tensor, b: Tensor, p = 2): Tensor {
  return wrap(ops.cdist!(a.handle, b.handle, p));
}
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
  return wrapList(ops.topk!(x.handle, k, dim, largest, sorted)) as [Tensor, Tensor];
}
export function sort(x: Tensor, dim = -1, descending = false): [Tensor, Tensor] {
  return wrapList(ops.sort!(x.handle, dim, descending)) as [Tensor, Tensor];
}
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): [Tensor, Tensor] {
  return wrapList(ops.kthvalue!(x.handle, k, dim, keepdim)) as [Tensor, Tensor];
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, o: Conv2dOptions = {}): Tensor {
  return wrap(ops.conv2d!(x.handle, weight.handle, bias ? bias.handle : null, pair(o.stride ?? 1), pair(o.padding ?? 0), pair(o.dilation ?? 1), o.groups ?? 1));
}
export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: number | [number, number];
}
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null, o: ConvTranspose2dOptions = {}): Tensor {
  return wrap(
    ops.convTranspose2d!(x.handle, weight.handle, bias ? bias.handle : null, pair(o.stride ?? 1), pair(o.padding ?? 0), pair(o.outputPadding ?? 0), o.groups ?? 1, pair(o.dilation ?? 1)),
  );
}
export function groupNorm(x: Tensor, groups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return wrap(ops.groupNorm!(x.handle, groups, weight ? weight.handle : null, bias ? bias.handle : null, eps));
}
export function layerNorm(x: Tensor, normalizedShape: number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return wrap(ops.layerNorm!(x.handle, normalizedShape, weight ? weight.handle : null, bias ? bias.handle : null, eps));
}
export function softmax(x: Tensor, dim: number): Tensor {
  return x.softmax(dim);
}
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.logSoftmax(dim);
}
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return wrap(ops.dropout!(x.handle, p, training));
}
export function embedding(weight: Tensor, indices: Tensor): Tensor {
  return wrap(ops.embedding!(weight.handle, indices.handle));
}
export function relu(x: Tensor): Tensor {
  return x.relu();
}
export function silu(x: Tensor): Tensor {
  return x.silu();
}
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  return x.gelu(approximate);
}
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return wrap(ops.softplus!(x.handle, beta, threshold));
}
export function logSigmoid(x: Tensor): Tensor {
  return wrap(ops.logSigmoid!(x.handle));
}
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return wrap(ops.leakyRelu!(x.handle, slope));
}
export function oneHot(idx: Tensor, numClasses: number): Tensor {
  return wrap(ops.oneHot!(idx.handle, numClasses));
}

/** Resize NCHW to `size` (h, w) by nearest neighbour or bilinear interpolation. */
export function interpolate(x: Tensor, size: [number, number], mode: 'nearest' | 'bilinear' = 'nearest', alignCorners = false): Tensor {
  return mode === 'nearest' ? wrap(ops.upsampleNearest2d!(x.handle, size)) : wrap(ops.upsampleBilinear2d!(x.handle, size, alignCorners));
}
export function avgPool2d(x: Tensor, kernel: number | [number, number], stride?: number | [number, number], padding: number | [number, number] = 0): Tensor {
  return wrap(ops.avgPool2d!(x.handle, pair(kernel), stride === undefined ? null : pair(stride), pair(padding)));
}
export function maxPool2d(x: Tensor, kernel: number | [number, number], stride?: number | [number, number], padding: number | [number, number] = 0): Tensor {
  return wrap(ops.maxPool2d!(x.handle, pair(kernel), stride === undefined ? null : pair(stride), pair(padding)));
}
export function adaptiveAvgPool2d(x: Tensor, size: number | [number, number]): Tensor {
  return wrap(ops.adaptiveAvgPool2d!(x.handle, pair(size)));
}
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/** Padding, `pads` as in torch.nn.functional.pad (last dim first); `value` is used by 'constant' only. */
export function pad(x: Tensor, pads: number[], value = 0, mode: PadMode = 'constant'): Tensor {
  return wrap(ops.pad!(x.handle, pads, value, mode));
}
/** Sampling grid for a batch of 2×3 affine matrices (N×2×3) and output size [N, C, H, W]. */
export function affineGrid(theta: Tensor, size: number[], alignCorners = false): Tensor {
  return wrap(ops.affineGrid!(theta.handle, size, alignCorners));
}
export function gridSample(x: Tensor, grid: Tensor, mode: 'bilinear' | 'nearest' = 'bilinear', padding: 'zeros' | 'border' | 'reflection' = 'zeros', alignCorners = false): Tensor {
  return wrap(ops.gridSample!(x.handle, grid.handle, mode === 'bilinear' ? 0 : 1, padding === 'zeros' ? 0 : padding === 'border' ? 1 : 2, alignCorners));
}

export type Reduction = 'mean' | 'sum' | 'none';
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  return wrap(ops.mseLoss!(a.handle, b.handle, reduction));
}
/** Cross-entropy of logits (N×C or N×C×…) against class indices (int64) or class probabilities; `weight` per class. */
export function crossEntropy(logits: Tensor, target: Tensor, reduction: Reduction = 'mean', labelSmoothing = 0, weight?: Tensor | null): Tensor {
  return wrap(ops.crossEntropy!(logits.handle, target.handle, reduction, weight ? weight.handle : null, labelSmoothing));
}
export function nllLoss(logp: Tensor, target: Tensor, reduction: Reduction = 'mean', weight?: Tensor | null): Tensor {
  return wrap(ops.nllLoss!(logp.handle, target.handle, reduction, weight ? weight.handle : null));
}
/** Binary cross-entropy on logits; `weight` rescales each element, `posWeight` the positive term per class. */
export function bceWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean', weight?: Tensor | null, posWeight?: Tensor | null): Tensor {
  return wrap(ops.bceWithLogits!(logits.handle, target.handle, reduction, weight ? weight.handle : null, posWeight ? posWeight.handle : null));
}

/**
 * Scaled dot-product attention from its parts (libtorch 1.13 has no fused op):
 * softmax(q kᵀ / √d + mask) v over the last two dims. A float mask is added to the
 * scores; a bool mask (as in PyTorch) marks with `true` the keys a query may attend to.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor | null): Tensor {
  return tidy(() => {
    const scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(q.dim(-1)));
    const masked = !mask ? scores : mask.dtype === 'bool' ? scores.maskedFill(mask.logicalNot(), -Infinity) : scores.add(mask);
    return masked.softmax(-1).matmul(v);
  });
}

/** Gradients of `outputs` w.r.t. `inputs` (torch.autograd.grad); null where an input is unused. */
export function grad(outputs: Tensor[], inputs: Tensor[], opts: { gradOutputs?: Tensor[]; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean } = {}): (Tensor | null)[] {
  const r = ops.autogradGrad!(hs(outputs), hs(inputs), opts.gradOutputs ? hs(opts.gradOutputs) : null, opts.retainGraph ?? null, opts.createGraph ?? false, opts.allowUnused ?? false) as (unknown | null)[];
  return r.map((x) => (x === null ? null : wrap(x)));
}

/** Rescales gradients so their global norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return ops.clipGradNorm!(hs(params), maxNorm, normType) as number;
}
