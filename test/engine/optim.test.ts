// Optimisers against updates computed by hand from PyTorch's documented formulas,
// in float64; parameter groups, learning-rate control, and exact resume from saved state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Optimizer, type Tensor, adam, adamw, undisposedTensorCount, setNumThreads, sgd, tensor, tidy } from '../../src/engine/index.js';

setNumThreads(1);

const f64 = { dtype: 'float64' } as const;
const C = [0.3, -1.2, 2.5];
const P0 = [1, -0.5, 0.25];

/** loss = Σ c·p + ½ Σ p², so ∂loss/∂p = c + p (the gradient changes as p moves). */
function lossGrad(p: number[]): number[] {
  return p.map((v, i) => C[i % C.length]! + v);
}
function backward(p: Tensor): void {
  tidy(() => p.mul(tensor(C.slice(0, p.size), p.shape, f64)).sum().add(p.square().sum().mul(0.5)).backward());
}
function run(opt: Optimizer, params: Tensor[], steps: number): void {
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    for (const p of params) backward(p);
    opt.step();
  }
}
function assertClose(actual: number[], expected: number[], tol = 1e-13): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)), `element ${i}: ${v}, expected ${expected[i]} (${actual})`));
}

interface AdamHyper {
  lr: number;
  b1: number;
  b2: number;
  eps: number;
  wd: number;
  decoupled: boolean;
}
function adamByHand(p0: number[], steps: number, h: AdamHyper): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const g = lossGrad(p);
    for (let i = 0; i < p.length; i++) {
      if (h.decoupled) p[i]! *= 1 - h.lr * h.wd; // AdamW: decay the weight itself
      const gi = h.decoupled ? g[i]! : g[i]! + h.wd * p[i]!; // Adam: L2 term in the gradient
      m[i] = h.b1 * m[i]! + (1 - h.b1) * gi;
      v[i] = h.b2 * v[i]! + (1 - h.b2) * gi * gi;
      const mHat = m[i]! / (1 - h.b1 ** t);
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - h.b2 ** t) + h.eps;
      p[i]! -= (h.lr * mHat) / denom;
    }
  }
  return p;
}

interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  wd: number;
  nesterov: boolean;
}
function sgdByHand(p0: number[], steps: number, h: SgdHyper): number[] {
  const p = [...p0];
  let buf: number[] | null = null;
  for (let t = 0; t < steps; t++) {
    const g = lossGrad(p).map((gi, i) => gi + h.wd * p[i]!);
    let d = g;
    if (h.momentum !== 0) {
      buf = buf === null ? [...g] : buf.map((b, i) => h.momentum * b + (1 - h.dampening) * g[i]!);
      d = h.nesterov ? g.map((gi, i) => gi + h.momentum * buf![i]!) : buf;
    }
    d.forEach((di, i) => (p[i]! -= h.lr * di));
  }
  return p;
}

const param = (values = P0) => tensor(values, [values.length], f64).requiresGrad_();

test('Adam: bias-corrected updates over 3 steps match the hand computation', () => {
  const before = undisposedTensorCount();
  for (const h of [
    { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: false },
    { lr: 0.05, b1: 0.8, b2: 0.95, eps: 1e-3, wd: 0.1, decoupled: false }, // L2 weight decay in the gradient
  ]) {
    const p = param();
    const opt = adam([p], { lr: h.lr, betas: [h.b1, h.b2], eps: h.eps, weightDecay: h.wd });
    run(opt, [p], 3);
    assertClose(p.toNumbers(), adamByHand(P0, 3, h));
    p.dispose();
  }
  assert.equal(undisposedTensorCount(), before);
});

test('Adam: the first step moves every weight by about lr (bias correction at work)', () => {
  const p = param();
  run(adam([p], { lr: 0.01 }), [p], 1);
  p.toNumbers().forEach((v, i) => assert.ok(Math.abs(Math.abs(v - P0[i]!) - 0.01) < 1e-6, `weight ${i} moved ${v - P0[i]!}`));
  p.dispose();
});

test('AdamW: decoupled weight decay (default 0.01, and explicit) matches the hand computation', () => {
  for (const wd of [undefined, 0.2]) {
    const p = param();
    const opt = adamw([p], { lr: 0.1, ...(wd !== undefined ? { weightDecay: wd } : {}) });
    run(opt, [p], 3);
    assertClose(p.toNumbers(), adamByHand(P0, 3, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: wd ?? 0.01, decoupled: true }));
    p.dispose();
  }
  // Decoupled is not L2: the two differ for the same coefficient.
  assert.notDeepEqual(adamByHand(P0, 3, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.2, decoupled: true }), adamByHand(P0, 3, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.2, decoupled: false }));
});

test('SGD: plain, momentum, dampening, nesterov and weight decay match the hand computation', () => {
  const configs: SgdHyper[] = [
    { lr: 0.1, momentum: 0, dampening: 0, wd: 0, nesterov: false },
    { lr: 0.1, momentum: 0.9, dampening: 0, wd: 0, nesterov: false },
    { lr: 0.05, momentum: 0.8, dampening: 0.3, wd: 0.01, nesterov: false },
    { lr: 0.1, momentum: 0.9, dampening: 0, wd: 0.05, nesterov: true },
  ];
  for (const h of configs) {
    const p = param();
    const opt = sgd([p], { lr: h.lr, momentum: h.momentum, dampening: h.dampening, weightDecay: h.wd, nesterov: h.nesterov });
    run(opt, [p], 3);
    assertClose(p.toNumbers(), sgdByHand(P0, 3, h));
    p.dispose();
  }
});

test('parameter groups take their own lr and weight decay; getLr/setLr per group and for all', () => {
  const a = param();
  const b = param();
  const opt = sgd(
    [
      { params: [a], lr: 0.1 },
      { params: [b], lr: 0.01, weightDecay: 0.5 },
    ],
    { lr: 1 },
  );
  assert.equal(opt.getLr(0), 0.1);
  assert.equal(opt.getLr(1), 0.01);
  run(opt, [a, b], 2);
  assertClose(a.toNumbers(), sgdByHand(P0, 2, { lr: 0.1, momentum: 0, dampening: 0, wd: 0, nesterov: false }));
  assertClose(b.toNumbers(), sgdByHand(P0, 2, { lr: 0.01, momentum: 0, dampening: 0, wd: 0.5, nesterov: false }));

  opt.setLr(0.2, 1);
  assert.deepEqual([opt.getLr(0), opt.getLr(1)], [0.1, 0.2]);
  opt.setLr(0.3);
  assert.deepEqual([opt.getLr(0), opt.getLr(1)], [0.3, 0.3]);
  assert.equal(opt.getLr(), 0.3);
  assert.throws(() => opt.getLr(2), /no parameter group 2/);

  // setLr takes effect on the next step: lr 0 freezes the weights.
  opt.setLr(0);
  const frozen = [...a.toNumbers(), ...b.toNumbers()];
  run(opt, [a, b], 1);
  assert.deepEqual([...a.toNumbers(), ...b.toNumbers()], frozen);
  a.dispose();
  b.dispose();
});

test('zeroGrad frees gradients (set to none)', () => {
  const p = param();
  const opt = sgd([p], { lr: 0.1 });
  backward(p);
  const g = p.grad; // a new handle on the gradient: freed here so no garbage is left for a later leak check
  assert.ok(g !== null);
  g.dispose();
  opt.zeroGrad();
  assert.equal(p.grad, null);
  p.dispose();
});

function clone(ps: Tensor[]): Tensor[] {
  return tidy(() => ps.map((p) => p.detach().clone().requiresGrad_()));
}
function sameBits(a: Tensor[], b: Tensor[]): boolean {
  return a.every((p, i) => Buffer.from(p.toArray().buffer).equals(Buffer.from(b[i]!.toArray().buffer)));
}

for (const [kind, make] of [
  ['adam', (ps: Tensor[] | { params: Tensor[]; lr?: number }[], lr: number) => adam(ps, { lr, betas: [0.8, 0.9] })],
  ['adamw', (ps: Tensor[] | { params: Tensor[]; lr?: number }[], lr: number) => adamw(ps, { lr, weightDecay: 0.1 })],
  ['sgd', (ps: Tensor[] | { params: Tensor[]; lr?: number }[], lr: number) => sgd(ps, { lr, momentum: 0.9, nesterov: true })],
] as const) {
  test(`${kind}: saveState/loadState into a fresh optimizer over cloned params continues bit-identically`, () => {
    const before = undisposedTensorCount();
    const ps = [param([0.5, -1, 2]), param([3, 0.1, -0.7])];
    const opt = make(
      [
        { params: [ps[0]!], lr: 0.05 },
        { params: [ps[1]!], lr: 0.02 },
      ],
      0.05,
    );
    run(opt, ps, 3);
    opt.setLr(0.03, 1); // a schedule changed one group's lr: the state carries it
    const state = opt.saveState();
    assert.ok(Buffer.isBuffer(state) && state.length > 0);

    const qs = clone(ps);
    // Constructed with other learning rates on purpose: loadState restores each group's options.
    const fresh = make(
      [
        { params: [qs[0]!], lr: 9 },
        { params: [qs[1]!], lr: 9 },
      ],
      9,
    );
    fresh.loadState(state);
    assert.deepEqual([fresh.getLr(0), fresh.getLr(1)], [0.05, 0.03]);
    run(opt, ps, 3);
    run(fresh, qs, 3);
    assert.ok(sameBits(ps, qs), `diverged: ${ps.map((p) => p.toNumbers())} vs ${qs.map((q) => q.toNumbers())}`);

    // Without the state, the same continuation differs (the test can fail).
    const rs = clone(qs);
    const cold = make(
      [
        { params: [rs[0]!], lr: 0.05 },
        { params: [rs[1]!], lr: 0.03 },
      ],
      0.05,
    );
    run(cold, rs, 1);
    run(fresh, qs, 1);
    assert.ok(!sameBits(qs, rs), 'moment state made no difference');

    for (const t of [...ps, ...qs, ...rs]) t.dispose();
    assert.equal(undisposedTensorCount(), before);
  });
}

test('loadState rejects a state from a different parameter layout, naming the optimizer', () => {
  const a = param();
  const b = param();
  const one = adam([a, b], { lr: 0.1 });
  run(one, [a, b], 1);
  const two = adam([{ params: [a] }, { params: [b] }], { lr: 0.1 });
  assert.throws(() => two.loadState(one.saveState()), /optimizer loadState: .*different number of parameter groups/);
  assert.throws(() => adam([a], { lr: 0.1 }).loadState(Buffer.from('not an archive')), /optimizer loadState/);
  a.dispose();
  b.dispose();
});
