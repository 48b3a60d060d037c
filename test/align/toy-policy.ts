// A toy generator for the alignment tests: a two-layer conv ε-model on 1×8×8 images,
// conditioned on class tokens (models' ClassConditionEncoder, mean-pooled, so ACE
// tokens act on it), with its own small DDIM step (η > 0) on a 100-step schedule.
import { Conv2d, Linear, Module, type Tensor, noGrad, seedInit, setNumThreads, tensor, tidy } from '../../src/engine/index.js';
import { ClassConditionEncoder } from '../../src/models/conditions/index.js';
import { pooledTokens } from '../../src/models/unet.js';
import type { AceTokens } from '../../src/align/ace.js';
import type { DiffusionPolicy, StepDistribution, StepOptions } from '../../src/align/policy.js';
import { DEFAULT_DDPO_CONFIG, type DdpoConfig } from '../../src/align/ddpo.js';

// Tensors here are tiny: one thread beats two that wait on a shared, busy machine.
setNumThreads(1);

const T = 100;
const betas = Array.from({ length: T }, (_, i) => 5e-2 + ((0.2 - 5e-2) * i) / (T - 1));
export const alphasCumprod: number[] = [];
betas.reduce((acc, b) => (alphasCumprod.push(acc * (1 - b)), acc * (1 - b)), 1);

/** DDIM timesteps with offset 1 (as Stable Diffusion's scheduler), e.g. S=5 → [81, 61, 41, 21, 1]. */
export function ddimTimesteps(steps: number): number[] {
  const ratio = Math.floor(T / steps);
  return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + 1);
}

class ToyNet extends Module {
  readonly encoder: ClassConditionEncoder;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly tProj: Linear;
  readonly cProj: Linear;
  constructor(classes: string[], dim: number) {
    super();
    this.encoder = this.child('encoder', new ClassConditionEncoder({ classes, dim, tokensPerClass: 1 }));
    this.conv1 = this.child('conv1', new Conv2d(1, 8, 3, { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(8, 1, 3, { padding: 1 }));
    this.tProj = this.child('t_proj', new Linear(1, 8));
    this.cProj = this.child('c_proj', new Linear(dim, 8));
  }
  forward(x: Tensor, t: readonly number[], tokens: Tensor): Tensor {
    return tidy(() => {
      const tt = tensor(t.map((v) => v / T), [t.length, 1]);
      const emb = this.tProj.forward(tt).add(this.cProj.forward(pooledTokens(tokens).mul(10)));
      return this.conv2.forward(this.conv1.forward(x).add(emb.unsqueeze(-1).unsqueeze(-1)).silu());
    });
  }
}

export class ToyPolicy implements DiffusionPolicy {
  readonly module: ToyNet;
  ace: AceTokens | null = null;
  readonly imageShape = [1, 8, 8];
  readonly conditionDim = 4;
  readonly trainTimesteps = T;

  constructor(
    readonly classes: string[] = ['a', 'b'],
    readonly seed = 0,
  ) {
    seedInit(seed);
    this.module = new ToyNet(classes, this.conditionDim);
    this.module.eval();
  }

  private tokens(conditions: readonly string[]): Tensor {
    return tidy(() => {
      const c = this.module.encoder.encode(conditions);
      return (this.ace ? this.ace.append(c) : c).tokens;
    });
  }

  stepDistribution(xt: Tensor, stepIndex: readonly number[], conditions: readonly string[], opts: StepOptions): StepDistribution {
    return tidy(() => {
      const ts = ddimTimesteps(opts.steps);
      const t = stepIndex.map((s) => ts[s]!);
      const aT = stepIndex.map((s) => alphasCumprod[ts[s]!]!);
      const aPrev = stepIndex.map((s) => (s + 1 < ts.length ? alphasCumprod[ts[s + 1]!]! : alphasCumprod[0]!));
      const col = (v: number[]) => tensor(v, [v.length, 1, 1, 1]);
      const sigma = aT.map((a, i) => opts.eta * Math.sqrt((1 - aPrev[i]!) / (1 - a)) * Math.sqrt(1 - a / aPrev[i]!));
      let eps = this.module.forward(xt, t, this.tokens(conditions));
      if (opts.guidance !== 1) {
        const epsU = this.module.forward(xt, t, this.tokens(conditions.map(() => '')));
        eps = epsU.add(eps.sub(epsU).mul(opts.guidance));
      }
      const x0 = xt.sub(eps.mul(col(aT.map((a) => Math.sqrt(1 - a))))).div(col(aT.map(Math.sqrt)));
      const mean = x0.mul(col(aPrev.map(Math.sqrt))).add(eps.mul(col(aPrev.map((a, i) => Math.sqrt(1 - a - sigma[i]! ** 2)))));
      return { mean, std: col(sigma) };
    });
  }

  diffusionLoss(x0: Tensor, conditions: ReadonlyArray<string | null>, noise: Tensor, t: readonly number[]): Tensor {
    return tidy(() => {
      const col = (v: number[]) => tensor(v, [v.length, 1, 1, 1]);
      const a = t.map((s) => alphasCumprod[s]!);
      const xt = x0.mul(col(a.map(Math.sqrt))).add(noise.mul(col(a.map((v) => Math.sqrt(1 - v)))));
      return this.module.forward(xt, t, this.tokens(conditions.map((c) => c ?? ''))).sub(noise).square().flatten(1).mean(1);
    });
  }

  frozenCopy(): ToyPolicy {
    const copy = new ToyPolicy(this.classes, this.seed + 1000);
    copy.module.loadStateDict(this.module.stateDict());
    copy.module.requiresGrad_(false).eval();
    return copy;
  }

  dispose(): void {
    this.module.dispose();
    this.ace?.dispose();
  }
}

/** Toy reward: mean brightness in [0, 1] (images in [−1, 1], clipped as a PNG would be). */
export function brightnessReward(images: Tensor): number[] {
  return noGrad(() => tidy(() => images.add(1).mul(0.5).clamp(0, 1).flatten(1).mean(1).toNumbers()));
}

/** Toy "posture" reward: closeness of the left half's mean to the right half's (symmetry). */
export function symmetryReward(images: Tensor): number[] {
  return noGrad(() => tidy(() => images.add(1).mul(0.5).clamp(0, 1).slice(3, 0, 4).mean([1, 2, 3]).sub(images.add(1).mul(0.5).clamp(0, 1).slice(3, 4, 8).mean([1, 2, 3])).abs().neg().toNumbers()));
}

/** Every tensor of a state dict as bytes, for bit-exact comparisons. */
export function snapshot(state: Map<string, Tensor>): Map<string, Buffer> {
  return new Map(
    [...state].map(([k, t]) => {
      const a = t.toArray();
      return [k, Buffer.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))];
    }),
  );
}

/** DDPO settings that move the toy quickly (large lr and clip range: the toy is tiny). */
export function toyDdpoConfig(over: Partial<DdpoConfig> = {}): DdpoConfig {
  return {
    ...DEFAULT_DDPO_CONFIG,
    conditions: ['a', 'b'],
    iterations: 20,
    batchSize: 64,
    trainBatchSize: 32,
    innerEpochs: 2,
    steps: 5,
    lr: 1e-3,
    clipRange: 0.2,
    advantages: { bufferSize: 32, minCount: 8, clip: 5, fallback: 'batch' },
    seed: 1,
    record: { rewards: [{ name: 'brightness', weight: 1, comparative: false }], anchor: 'toy', data: 'none' },
    ...over,
  };
}

