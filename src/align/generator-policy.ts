// The real generator (diffusion/generator.ts: UNet + condition encoder + schedule) as
// a DiffusionPolicy: diffusion/'s DDIM step (x̂₀ clipped, ᾱ_prev = ᾱ_0 after the last
// step, as ddpo-pytorch) gives each step's mean and σ, with classifier-free guidance;
// ACE tokens are appended to both the conditional and the NULL token sequences so the
// two guidance branches keep one shape (and one batched forward pass).
import { type Tensor, cat, keep, tensor, tidy } from '../engine/index.js';
import type { ConditionTokens } from '../models/conditions/index.js';
import { type DiffusionGenerator, createGenerator } from '../diffusion/generator.js';
import type { EpsilonModel } from '../diffusion/denoiser.js';
import { guidedEpsilon } from '../diffusion/denoiser.js';
import { diffusionLoss } from '../diffusion/loss.js';
import { ddimMean } from '../diffusion/samplers/ddim.js';
import { samplingTimesteps } from '../diffusion/samplers/timesteps.js';
import type { AceTokens } from './ace.js';
import type { DiffusionPolicy, StepDistribution, StepOptions } from './policy.js';

export class GeneratorPolicy implements DiffusionPolicy {
  ace: AceTokens | null = null;
  readonly imageShape: number[];
  readonly conditionDim: number;
  readonly trainTimesteps: number;
  private readonly eps: EpsilonModel;

  constructor(
    readonly module: DiffusionGenerator,
    readonly opts: { clipDenoised: boolean } = { clipDenoised: true },
  ) {
    const { size, channels } = module.config.image;
    this.imageShape = [channels, size, size];
    this.conditionDim = module.encoder.dim;
    this.trainTimesteps = module.schedule.numTimesteps;
    this.eps = module;
  }

  /** Condition tokens with the ACE tokens appended (when there are any). */
  conditionTokens(conditions: ReadonlyArray<string | null>): ConditionTokens {
    return tidy(() => {
      const c = this.module.encode(conditions);
      return this.ace ? this.ace.append(c) : c;
    });
  }

  stepDistribution(xt: Tensor, stepIndex: readonly number[], conditions: readonly string[], opts: StepOptions): StepDistribution {
    return tidy(() => {
      const { timesteps, prevTimesteps } = samplingTimesteps(this.trainTimesteps, opts.steps);
      // diffusion/'s step takes one timestep per call: group the rows by step, then restore their order
      const groups = new Map<number, number[]>();
      stepIndex.forEach((s, row) => groups.set(s, [...(groups.get(s) ?? []), row]));
      const means: Tensor[] = [];
      const order: number[] = [];
      const stds = new Array<number>(stepIndex.length);
      for (const [s, rows] of groups) {
        const idx = tensor(BigInt64Array.from(rows, BigInt), [rows.length], { dtype: 'int64' });
        const x = rows.length === stepIndex.length ? xt : xt.indexSelect(0, idx);
        const conds = rows.map((r) => conditions[r]!);
        const guidance = {
          cond: this.conditionTokens(conds),
          scale: opts.guidance,
          ...(opts.guidance !== 1 ? { uncond: this.conditionTokens(conds.map(() => null)) } : {}),
        };
        const eps = guidedEpsilon(this.eps, x, timesteps[s]!, guidance);
        const m = ddimMean(this.module.schedule, eps, timesteps[s]!, prevTimesteps[s]!, x, { eta: opts.eta, clipDenoised: this.opts.clipDenoised });
        means.push(m.mean);
        order.push(...rows);
        for (const r of rows) stds[r] = m.std;
      }
      let mean = means.length === 1 ? means[0]! : cat(means, 0);
      if (order.some((r, i) => r !== i)) {
        const inverse = new BigInt64Array(order.length);
        order.forEach((r, i) => (inverse[r] = BigInt(i)));
        mean = mean.indexSelect(0, tensor(inverse, [order.length], { dtype: 'int64' }));
      }
      return { mean, std: tensor(stds, [stds.length, 1, 1, 1]) };
    });
  }

  diffusionLoss(x0: Tensor, conditions: ReadonlyArray<string | null>, noise: Tensor, t: readonly number[]): Tensor {
    return tidy(() => diffusionLoss(this.eps, this.module.schedule, x0, this.conditionTokens(conditions), { noise, timesteps: [...t] }).perSample);
  }

  frozenCopy(): GeneratorPolicy {
    const copy = createGenerator(this.module.config);
    copy.loadStateDict(this.module.stateDict());
    // tokens a loaded bundle appends belong to the starting model the anchor copies
    if (this.module.appendedTokens) copy.appendedTokens = keep(tidy(() => this.module.appendedTokens!.clone()));
    copy.requiresGrad_(false).eval();
    copy.source = { ...this.module.source };
    return new GeneratorPolicy(copy, this.opts);
  }

  dispose(): void {
    this.module.dispose();
    this.ace?.dispose();
  }
}
