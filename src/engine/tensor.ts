// The typed Tensor facade over the native handle. Every method calls one bound
// libtorch op; new tensors join the innermost `tidy` scope.
import type { AnyTypedArray, Device, DType } from './dtype.js';
import { type NativeTensor, native } from './native.js';
import { track } from './scope.js';

const ops = native.ops;
type Operand = Tensor | number;

function h(x: Operand): NativeTensor | number {
  return typeof x === 'number' ? x : x.handle;
}

/** Wraps a native result (tensor or list of tensors). */
export function wrap(r: unknown): Tensor {
  return new Tensor(r as NativeTensor);
}
export function wrapList(r: unknown): Tensor[] {
  return (r as NativeTensor[]).map((n) => new Tensor(n));
}

export class Tensor {
  readonly __isTensor = true;
  private shapeCache: number[] | undefined;

  constructor(readonly handle: NativeTensor) {
    track(this);
  }

  // ------------------------------------------------------------ metadata
  get shape(): number[] {
    return (this.shapeCache ??= this.handle.shape());
  }
  get dtype(): DType {
    return this.handle.dtype() as DType;
  }
  get device(): string {
    return this.handle.device();
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get isDisposed(): boolean {
    return this.handle.isDisposed();
  }
  dim(i: number): number {
    const s = this.shape;
    const d = s[i < 0 ? s.length + i : i];
    if (d === undefined) throw new RangeError(`dim ${i} out of range for shape [${s.join(', ')}]`);
    return d;
  }

  // ------------------------------------------------------------ data out
  /** A copy of the data (float16/bfloat16 come back as float32, bool as uint8). */
  toArray(): AnyTypedArray {
    return this.handle.toArray();
  }
  toFloat32Array(): Float32Array {
    const a = this.handle.toArray();
    return a instanceof Float32Array ? a : Float32Array.from(a as ArrayLike<number>, Number);
  }
  toFloat64Array(): Float64Array {
    const a = this.handle.toArray();
    if (a instanceof Float64Array) return a;
    if (a instanceof BigInt64Array) return Float64Array.from(a, Number);
    return Float64Array.from(a);
  }
  /** Values as plain numbers (int64 converted). */
  toNumbers(): number[] {
    const a = this.handle.toArray();
    return a instanceof BigInt64Array ? Array.from(a, Number) : Array.from(a as ArrayLike<number>);
  }
  item(): number {
    return this.handle.item();
  }
  dispose(): void {
    this.handle.dispose();
  }

  // ------------------------------------------------------------ autograd
  get requiresGrad(): boolean {
    return this.handle.requiresGrad();
  }
  requiresGrad_(v = true): this {
    this.handle.setRequiresGrad(v);
    return this;
  }
  /** The accumulated gradient, or null. The returned tensor is a new handle: dispose it. */
  get grad(): Tensor | null {
    const g = this.handle.grad();
    return g ? new Tensor(g) : null;
  }
  clearGrad(): void {
    this.handle.clearGrad();
  }
  backward(grad?: Tensor, retainGraph = false): void {
    this.handle.backward(grad ? grad.handle : null, retainGraph);
  }
  get isLeaf(): boolean {
    return this.handle.isLeaf();
  }
  detach(): Tensor {
    return wrap(ops.detach!(this.handle));
  }

  // ------------------------------------------------------------ conversion
  to(target: DType | Device): Tensor {
    return target === 'cpu' || target.startsWith('cuda') ? wrap(ops.toDevice!(this.handle, target)) : wrap(ops.toDtype!(this.handle, target));
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  long(): Tensor {
    return this.to('int64');
  }
  clone(): Tensor {
    return wrap(ops.clone!(this.handle));
  }
  contiguous(): Tensor {
    return wrap(ops.contiguous!(this.handle));
  }

  // ------------------------------------------------------------ elementwise
  add(o: Operand): Tensor {
    return wrap(ops.add!(this.handle, h(o)));
  }
  sub(o: Operand): Tensor {
    return wrap(ops.sub!(this.handle, h(o)));
  }
  /** `s - this` for a number s. */
  rsub(s: number): Tensor {
    return wrap(ops.rsub!(this.handle, s));
  }
  mul(o: Operand): Tensor {
    return wrap(ops.mul!(this.handle, h(o)));
  }
  div(o: Operand): Tensor {
    return wrap(ops.div!(this.handle, h(o)));
  }
  pow(o: Operand): Tensor {
    return wrap(ops.pow!(this.handle, h(o)));
  }
  remainder(o: Operand): Tensor {
    return wrap(ops.remainder!(this.handle, h(o)));
  }
  maximum(o: Tensor): Tensor {
    return wrap(ops.maximum!(this.handle, o.handle));
  }
  minimum(o: Tensor): Tensor {
    return wrap(ops.minimum!(this.handle, o.handle));
  }
  /** Elementwise atan2(this, o): the angle of the point (o, this). */
  atan2(o: Tensor): Tensor {
    return wrap(ops.atan2!(this.handle, o.handle));
  }
  eq(o: Operand): Tensor {
    return wrap(ops.eq!(this.handle, h(o)));
  }
  ne(o: Operand): Tensor {
    return wrap(ops.ne!(this.handle, h(o)));
  }
  lt(o: Operand): Tensor {
    return wrap(ops.lt!(this.handle, h(o)));
  }
  le(o: Operand): Tensor {
    return wrap(ops.le!(this.handle, h(o)));
  }
  gt(o: Operand): Tensor {
    return wrap(ops.gt!(this.handle, h(o)));
  }
  ge(o: Operand): Tensor {
    return wrap(ops.ge!(this.handle, h(o)));
  }
  logicalAnd(o: Tensor): Tensor {
    return wrap(ops.logicalAnd!(this.handle, o.handle));
  }
  logicalOr(o: Tensor): Tensor {
    return wrap(ops.logicalOr!(this.handle, o.handle));
  }
  logicalNot(): Tensor {
    return wrap(ops.logicalNot!(this.handle));
  }
  neg(): Tensor {
    return wrap(ops.neg!(this.handle));
  }
  exp(): Tensor {
    return wrap(ops.exp!(this.handle));
  }
  log(): Tensor {
    return wrap(ops.log!(this.handle));
  }
  sqrt(): Tensor {
    return wrap(ops.sqrt!(this.handle));
  }
  rsqrt(): Tensor {
    return wrap(ops.rsqrt!(this.handle));
  }
  abs(): Tensor {
    return wrap(ops.abs!(this.handle));
  }
  sin(): Tensor {
    return wrap(ops.sin!(this.handle));
  }
  cos(): Tensor {
    return wrap(ops.cos!(this.handle));
  }
  tanh(): Tensor {
    return wrap(ops.tanh!(this.handle));
  }
  sigmoid(): Tensor {
    return wrap(ops.sigmoid!(this.handle));
  }
  relu(): Tensor {
    return wrap(ops.relu!(this.handle));
  }
  silu(): Tensor {
    return wrap(ops.silu!(this.handle));
  }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return wrap(ops.gelu!(this.handle, approximate));
  }
  square(): Tensor {
    return wrap(ops.square!(this.handle));
  }
  sign(): Tensor {
    return wrap(ops.sign!(this.handle));
  }
  floor(): Tensor {
    return wrap(ops.floor!(this.handle));
  }
  ceil(): Tensor {
    return wrap(ops.ceil!(this.handle));
  }
  round(): Tensor {
    return wrap(ops.round!(this.handle));
  }
  log1p(): Tensor {
    return wrap(ops.log1p!(this.handle));
  }
  expm1(): Tensor {
    return wrap(ops.expm1!(this.handle));
  }
  erf(): Tensor {
    return wrap(ops.erf!(this.handle));
  }
  reciprocal(): Tensor {
    return wrap(ops.reciprocal!(this.handle));
  }
  isnan(): Tensor {
    return wrap(ops.isnan!(this.handle));
  }
  isfinite(): Tensor {
    return wrap(ops.isfinite!(this.handle));
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return wrap(ops.clamp!(this.handle, min ?? null, max ?? null));
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return wrap(ops.maskedFill!(this.handle, mask.handle, value));
  }

  // ------------------------------------------------------------ reductions (dims omitted = all)
  sum(dims?: number | number[], keepdim = false): Tensor {
    return wrap(ops.sum!(this.handle, dims ?? null, keepdim));
  }
  mean(dims?: number | number[], keepdim = false): Tensor {
    return wrap(ops.mean!(this.handle, dims ?? null, keepdim));
  }
  amax(dims?: number | number[], keepdim = false): Tensor {
    return wrap(ops.amax!(this.handle, dims ?? null, keepdim));
  }
  amin(dims?: number | number[], keepdim = false): Tensor {
    return wrap(ops.amin!(this.handle, dims ?? null, keepdim));
  }
  /** Max along a dim: [values, indices]. */
  maxDim(dim: number, keepdim = false): [Tensor, Tensor] {
    return wrapList(ops.maxDim!(this.handle, dim, keepdim)) as [Tensor, Tensor];
  }
  minDim(dim: number, keepdim = false): [Tensor, Tensor] {
    return wrapList(ops.minDim!(this.handle, dim, keepdim)) as [Tensor, Tensor];
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return wrap(ops.argmax!(this.handle, dim ?? null, keepdim));
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return wrap(ops.argmin!(this.handle, dim ?? null, keepdim));
  }
  var(dims?: number | number[], unbiased = true, keepdim = false): Tensor {
    return wrap(ops.var!(this.handle, dims ?? null, unbiased, keepdim));
  }
  std(dims?: number | number[], unbiased = true, keepdim = false): Tensor {
    return wrap(ops.std!(this.handle, dims ?? null, unbiased, keepdim));
  }
  logsumexp(dims: number | number[], keepdim = false): Tensor {
    return wrap(ops.logsumexp!(this.handle, dims, keepdim));
  }
  norm(p = 2, dims?: number | number[], keepdim = false): Tensor {
    return wrap(ops.norm!(this.handle, p, dims ?? null, keepdim));
  }
  cumsum(dim: number): Tensor {
    return wrap(ops.cumsum!(this.handle, dim));
  }
  prod(dim?: number, keepdim = false): Tensor {
    return wrap(ops.prod!(this.handle, dim ?? null, keepdim));
  }
  all(): Tensor {
    return wrap(ops.all!(this.handle));
  }
  any(): Tensor {
    return wrap(ops.any!(this.handle));
  }

  // ------------------------------------------------------------ shape and indexing
  reshape(shape: number[]): Tensor {
    return wrap(ops.reshape!(this.handle, shape));
  }
  view(shape: number[]): Tensor {
    return this.reshape(shape);
  }
  permute(dims: number[]): Tensor {
    return wrap(ops.permute!(this.handle, dims));
  }
  transpose(a: number, b: number): Tensor {
    return wrap(ops.transpose!(this.handle, a, b));
  }
  /** Transpose of the last two dims. */
  get T(): Tensor {
    return this.transpose(-2, -1);
  }
  squeeze(dim?: number): Tensor {
    return wrap(ops.squeeze!(this.handle, dim ?? null));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(ops.unsqueeze!(this.handle, dim));
  }
  flatten(start = 0, end = -1): Tensor {
    return wrap(ops.flatten!(this.handle, start, end));
  }
  expand(shape: number[]): Tensor {
    return wrap(ops.expand!(this.handle, shape));
  }
  /** `slice(dim, start, end, step)` like `x[..., start:end:step]`; null = open end. */
  slice(dim: number, start: number | null, end: number | null = null, step = 1): Tensor {
    return wrap(ops.slice!(this.handle, dim, start, end, step));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(ops.narrow!(this.handle, dim, start, length));
  }
  select(dim: number, index: number): Tensor {
    return wrap(ops.select!(this.handle, dim, index));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(ops.indexSelect!(this.handle, dim, index.handle));
  }
  /** Rows picked by an int64 index or bool mask tensor (like `x[idx]`). */
  index(idx: Tensor): Tensor {
    return wrap(ops.index!(this.handle, idx.handle));
  }
  indexPut(idx: Tensor, values: Tensor): Tensor {
    return wrap(ops.indexPut!(this.handle, idx.handle, values.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(ops.gather!(this.handle, dim, index.handle));
  }
  scatter(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(ops.scatter!(this.handle, dim, index.handle, src.handle));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(ops.scatterAdd!(this.handle, dim, index.handle, src.handle));
  }
  repeat(times: number[]): Tensor {
    return wrap(ops.repeat!(this.handle, times));
  }
  repeatInterleave(repeats: number, dim = 0): Tensor {
    return wrap(ops.repeatInterleave!(this.handle, repeats, dim));
  }
  flip(dims: number[]): Tensor {
    return wrap(ops.flip!(this.handle, dims));
  }
  roll(shifts: number[], dims: number[]): Tensor {
    return wrap(ops.roll!(this.handle, shifts, dims));
  }
  chunk(n: number, dim = 0): Tensor[] {
    return wrapList(ops.chunk!(this.handle, n, dim));
  }
  split(sizes: number[], dim = 0): Tensor[] {
    return wrapList(ops.split!(this.handle, sizes, dim));
  }
  tril(k = 0): Tensor {
    return wrap(ops.tril!(this.handle, k));
  }
  triu(k = 0): Tensor {
    return wrap(ops.triu!(this.handle, k));
  }
  diag(k = 0): Tensor {
    return wrap(ops.diag!(this.handle, k));
  }

  // ------------------------------------------------------------ linear algebra
  matmul(o: Tensor): Tensor {
    return wrap(ops.matmul!(this.handle, o.handle));
  }
  bmm(o: Tensor): Tensor {
    return wrap(ops.bmm!(this.handle, o.handle));
  }
  softmax(dim: number): Tensor {
    return wrap(ops.softmax!(this.handle, dim));
  }
  logSoftmax(dim: number): Tensor {
    return wrap(ops.logSoftmax!(this.handle, dim));
  }

  // ------------------------------------------------------------ in place, without recording gradients
  add_(o: Operand, alpha = 1): this {
    ops.add_!(this.handle, h(o), alpha);
    return this;
  }
  mul_(o: Operand): this {
    ops.mul_!(this.handle, h(o));
    return this;
  }
  copy_(src: Tensor): this {
    ops.copy_!(this.handle, src.handle);
    return this;
  }
  /** `this += weight * (end - this)`: the EMA update. */
  lerp_(end: Tensor, weight: number): this {
    ops.lerp_!(this.handle, end.handle, weight);
    return this;
  }
  fill_(v: number): this {
    ops.fill_!(this.handle, v);
    return this;
  }
  zero_(): this {
    ops.zero_!(this.handle);
    return this;
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}
