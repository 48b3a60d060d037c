// Gradient check by central finite differences in float64, as torch.autograd.gradcheck
// does it: the analytic gradient of sum(fn(x) · W) for fixed random weights W (so
// every output element contributes with its own weight) is compared, element by
// element, with (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε.
import { AssertionError } from 'node:assert';
import { Generator, type Tensor, grad, noGrad, randn, tensor, tidy } from '../../src/engine/index.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Pass when |analytic − numeric| ≤ atol + rtol·|numeric| for every element. */
  rtol?: number;
  atol?: number;
  /** Indices of the inputs to differentiate (default: all). Others are constants. */
  wrt?: number[];
  seed?: number;
}

export interface GradcheckReport {
  /** Worst |analytic − numeric| / (atol + rtol·|numeric|): below 1 passes. */
  worst: number;
  checked: number;
}

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

/**
 * Checks the gradient of `fn` at `inputs` (float64 tensors, not modified). Throws an
 * AssertionError naming the input and element of the first mismatch beyond tolerance.
 */
export function gradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckReport {
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  for (const [i, x] of inputs.entries()) {
    if (x.dtype !== 'float64') throw new Error(`gradcheck: input ${i} is ${x.dtype}; use float64`);
  }
  const wrt = opts.wrt ?? inputs.map((_, i) => i);
  const shapes = inputs.map((x) => x.shape);
  const values = inputs.map((x) => x.toFloat64Array());
  const gen = new Generator(opts.seed ?? 1234);

  // Fixed output weights: one per output element.
  const weights = noGrad(() =>
    tidy(() => {
      const outs = asList(fn(...inputs));
      return outs.map((o) => randn(o.shape, { generator: gen, dtype: 'float64' }));
    }),
  );

  const objective = (xs: Tensor[]): Tensor => {
    const outs = asList(fn(...xs));
    if (outs.length !== weights.length) throw new Error('gradcheck: fn returned a different number of outputs');
    return outs.map((o, k) => o.mul(weights[k]!).sum()).reduce((a, b) => a.add(b));
  };
  const evaluate = (vals: Float64Array[]): number =>
    noGrad(() => tidy(() => objective(vals.map((v, i) => tensor(v, shapes[i], { dtype: 'float64' }))).item()));

  const analytic = tidy(() => {
    const leaves = values.map((v, i) => {
      const t = tensor(v, shapes[i], { dtype: 'float64' });
      return wrt.includes(i) ? t.requiresGrad_(true) : t;
    });
    const s = objective(leaves);
    const gs = grad(
      [s],
      wrt.map((i) => leaves[i]!),
      { allowUnused: true },
    );
    return gs.map((g, k) => (g ? g.toFloat64Array() : new Float64Array(values[wrt[k]!]!.length)));
  });

  let worst = 0;
  let checked = 0;
  for (const [k, i] of wrt.entries()) {
    const v = values[i]!;
    for (let j = 0; j < v.length; j++) {
      const orig = v[j]!;
      v[j] = orig + eps;
      const fp = evaluate(values);
      v[j] = orig - eps;
      const fm = evaluate(values);
      v[j] = orig;
      const numeric = (fp - fm) / (2 * eps);
      const a = analytic[k]![j]!;
      const ratio = Math.abs(a - numeric) / (atol + rtol * Math.abs(numeric));
      checked++;
      if (!(ratio <= 1)) {
        dispose(weights);
        throw new AssertionError({
          message: `gradient mismatch for input ${i} element ${j} (shape [${shapes[i]}]): analytic ${a}, numeric ${numeric} (|diff| ${Math.abs(a - numeric).toExponential(2)})`,
          actual: a,
          expected: numeric,
          operator: 'gradcheck',
        });
      }
      worst = Math.max(worst, ratio);
    }
  }
  dispose(weights);
  return { worst, checked };
}

function asList(x: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(x) ? x : [x];
}

function dispose(ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}
