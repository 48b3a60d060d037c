// Policy-gradient finetuning (DDPO-IS, Black et al. 2023), with several weighted
// rewards, comparative feedback against a frozen anchor (RLCF) and adaptive
// condition embeddings (ACE) from CXRL (Han et al. 2024). One iteration:
//   1. sample a batch of trajectories with per-step log-probs (DDIM, η = 1),
//      and the anchor's paired images when a reward is comparative;
//   2. score the rewards, turn them into per-condition advantages;
//   3. a few inner epochs of the clipped surrogate over shuffled samples and
//      timesteps, gradient-norm clipped;
//   4. log and checkpoint (exact resume).
import { F, Generator, type Optimizer, type ParamGroup, type Tensor, adamw, clipGradNorm, dispose, randint, rand, randperm, tensor, tidy } from '../engine/index.js';
import { AceTokens } from './ace.js';
import { type AdvantageOptions, DEFAULT_ADVANTAGE_OPTIONS, PerConditionAdvantages } from './advantages.js';
import { clippedPolicyLoss } from './clipped-loss.js';
import { ComparativeAnchor } from './comparative.js';
import { type DiffusionPolicy, type StepOptions, gaussianKlSameStd, gaussianLogProb } from './policy.js';
import { type RewardTerm, scoreRewards, summarise } from './reward-mix.js';
import { AlignResumeError, MetricsLog, checkSameConfig, loadLatestAlignCheckpoint, saveAlignCheckpoint } from './run-state.js';
import { type ImageSet, denoisingLosses } from './rwl.js';
import { type Trajectory, gatherSteps, sampleTrajectory } from './sampling.js';

export interface DdpoConfig {
  /** Conditions (class names or reports) drawn for each sample. */
  conditions: string[];
  /**
   * 'uniform': each sample's condition drawn independently (ddpo-pytorch);
   * 'balanced': every condition equally often in each batch (±1), which keeps each
   * condition's share of the gradient fixed and gives every condition a group to
   * normalise its advantages against.
   */
  conditionDraw: 'uniform' | 'balanced';
  iterations: number;
  /** Trajectories sampled per iteration. */
  batchSize: number;
  /** Samples per gradient step (ddpo-pytorch's train.batch_size). */
  trainBatchSize: number;
  /** Passes over each batch of trajectories (DDPO: 1; more is safe thanks to clipping). */
  innerEpochs: number;
  /** Share of each trajectory's trainable steps trained on (DDPO: 1). */
  timestepFraction: number;
  /**
   * Steps left out of training at the start and at the end of each trajectory (DDPO: 0, 0).
   * Their log-prob gradients swamp the rest: the last step's σ is tiny (0.006 for 20 DDIM
   * steps on the cosine schedule), and ∇log p scales as 1/σ; on the first step (ᾱ ≈ 2e-9)
   * x̂₀ is clipped almost everywhere and the few unclipped pixels carry ∂x̂₀/∂ε ≈ 1/√ᾱ.
   * Measured on the demo's generator: ‖∇‖ 4.0 and 4.3 for those two steps against
   * 0.07–0.4 for each of the others, so after gradient-norm clipping the steps that
   * shape the cell contributed almost nothing.
   */
  skipSteps: { first: number; last: number };
  steps: number;
  eta: number;
  guidance: number;
  lr: number;
  /**
   * Optimiser updates over which the learning rates rise linearly to lr and aceLr
   * (0 = none). Adam's first updates move every weight by about ±lr whatever the
   * gradient's size; with the few updates a CPU run affords (2 per iteration in the
   * demo) those sign-like steps were what lowered the reward after iteration 0.
   */
  lrWarmupUpdates: number;
  weightDecay: number;
  /** ACE: learnable tokens appended to the condition sequence (0 = off), and their learning rate. */
  aceTokens: number;
  aceLr: number;
  /** ε of the clipped ratio (DDPO: 1e-4). */
  clipRange: number;
  maxGradNorm: number;
  advantages: AdvantageOptions;
  /** Weight of KL(π_θ ‖ π_anchor) per step (0 = off). */
  klToAnchor: number;
  /**
   * β of a pretraining (denoising) loss on real images added to every update (0 = off), as
   * Sun et al.'s β term in RWL: it holds what no reward checks (a slide's background colour)
   * to the real data. Needs `inputs.real`.
   */
  pretrainWeight: number;
  /** Real images per update for the pretraining loss. */
  pretrainBatch: number;
  seed: number;
  /** Checkpoint every n iterations (and at the end); 0 = only at the end. */
  checkpointEvery: number;
  /** How many of the newest checkpoints to keep on disk (resume needs one; the reward-hacking guard reads every one kept). */
  keepCheckpoints: number;
  /** Traceability, recorded as given: the rewards with weights, the anchor (starting model) and the data. */
  record: { rewards: { name: string; weight: number; comparative: boolean }[]; anchor: string; data: string };
}

export const DEFAULT_DDPO_CONFIG: Omit<DdpoConfig, 'conditions' | 'record'> = {
  conditionDraw: 'uniform',
  iterations: 8,
  batchSize: 16,
  trainBatchSize: 8,
  innerEpochs: 1,
  timestepFraction: 1,
  skipSteps: { first: 0, last: 0 },
  steps: 20,
  eta: 1,
  guidance: 1,
  lr: 1e-4,
  lrWarmupUpdates: 0,
  weightDecay: 1e-4,
  aceTokens: 0,
  aceLr: 1e-3,
  clipRange: 1e-4,
  maxGradNorm: 1,
  advantages: DEFAULT_ADVANTAGE_OPTIONS,
  klToAnchor: 0,
  pretrainWeight: 0,
  pretrainBatch: 16,
  seed: 1,
  checkpointEvery: 1,
  keepCheckpoints: 2,
};

export interface DdpoInputs {
  policy: DiffusionPolicy;
  rewards: RewardTerm[];
  /** Run folder: checkpoints/ and metrics.jsonl. Without one nothing is written. */
  outDir?: string;
  /** Continue from the newest checkpoint in outDir when there is one. */
  resume?: boolean;
  /** Stop after this iteration count (a deliberate interruption, for tests and time budgets). */
  stopAfter?: number;
  onIteration?: (m: DdpoIterationMetrics) => void;
  /** The frozen starting model; built from `policy` before the first step when absent. A given anchor stays the caller's to dispose. */
  anchor?: ComparativeAnchor;
  /** Real images in [−1, 1] with their conditions, for the pretraining loss (cfg.pretrainWeight > 0). */
  real?: ImageSet;
}

export interface DdpoIterationMetrics {
  iteration: number;
  reward: ReturnType<typeof summarise>;
  rewards: Record<string, ReturnType<typeof summarise>>;
  loss: number;
  approxKl: number;
  clipFraction: number;
  gradNorm: number;
  klToAnchor: number;
  /** Mean denoising loss on the real images per update (0 when pretrainWeight is 0). */
  pretrainLoss: number;
  seconds: number;
}

export interface DdpoResult {
  iteration: number;
  history: DdpoIterationMetrics[];
  checkpoint: string | null;
  ace: AceTokens | null;
}

/** The anchor's step-noise seed at iteration `it`: a stream apart from the policy's (seed + 1 is the ACE init's). */
export function anchorNoiseSeed(seed: number, it: number): number {
  return seed * 1_000_003 + 7_919 * (it + 1);
}

function anchorSample(anchor: ComparativeAnchor, traj: Trajectory, opts: StepOptions, seed: number): Tensor {
  const xT = traj.latents.select(0, 0);
  const images = anchor.sample(traj.conditions, opts, xT, new Generator(seed));
  xT.dispose();
  return images;
}

/** Settings a resumed run may change without changing what it computes. */
const RESUMABLE_KEYS = ['iterations', 'checkpointEvery', 'keepCheckpoints'];

export async function runDdpo(cfg: DdpoConfig, inputs: DdpoInputs): Promise<DdpoResult> {
  const { policy, rewards } = inputs;
  trainableSteps(cfg); // a bad skipSteps fails before any sampling
  if (cfg.pretrainWeight > 0 && !inputs.real?.conditions.length) throw new RangeError('DDPO: pretrainWeight > 0 needs real images (inputs.real) for the pretraining loss');
  const run = startRun(cfg, inputs);
  const stepOpts: StepOptions = { steps: cfg.steps, eta: cfg.eta, guidance: cfg.guidance };
  const needAnchorImages = rewards.some((r) => r.comparative);
  const history: DdpoIterationMetrics[] = [];
  let checkpoint: string | null = null;
  const end = Math.min(cfg.iterations, inputs.stopAfter ?? Infinity);
  for (let it = run.iteration; it < end; it++) {
    const t0 = performance.now();
    // 1. trajectories, and the anchor's images from the same x_T (its step noise seeded per iteration: resumable without state)
    const conditions = cfg.conditionDraw === 'balanced' ? drawBalancedConditions(cfg.conditions, cfg.batchSize, run.generator) : drawConditions(cfg.conditions, cfg.batchSize, run.generator);
    policy.module.eval(); // no dropout noise: log p at sampling and at training must be one function
    const traj = sampleTrajectory(policy, conditions, stepOpts, run.generator);
    const anchorImages = needAnchorImages ? anchorSample(run.anchor!, traj, stepOpts, anchorNoiseSeed(cfg.seed, it)) : undefined;
    // 2. rewards → advantages
    const scored = await scoreRewards(rewards, traj.images, conditions, anchorImages);
    dispose(anchorImages);
    const advantages = run.advantages.update(conditions, scored.total);
    // 3. clipped policy-gradient steps
    const train = trainOnTrajectories(cfg, run, traj, advantages, stepOpts, it, inputs.real);
    dispose(traj);
    // 4. log, checkpoint
    const m: DdpoIterationMetrics = {
      iteration: it,
      reward: summarise(scored.total),
      rewards: Object.fromEntries(Object.entries(scored.byName).map(([k, v]) => [k, summarise(v)])),
      ...train,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(m);
    run.metrics?.append({ ...m });
    inputs.onIteration?.(m);
    const done = it + 1;
    if (inputs.outDir && ((cfg.checkpointEvery > 0 && done % cfg.checkpointEvery === 0) || done === end)) checkpoint = saveRun(inputs.outDir, cfg, run, done);
  }
  run.optimizer.zeroGrad();
  if (run.anchor !== inputs.anchor) run.anchor?.dispose();
  return { iteration: Math.max(run.iteration, end), history, checkpoint, ace: policy.ace };
}

interface DdpoRun {
  iteration: number;
  generator: Generator;
  advantages: PerConditionAdvantages;
  optimizer: Optimizer;
  anchor: ComparativeAnchor | null;
  policy: DiffusionPolicy;
  metrics: MetricsLog | null;
}

/** Optimiser updates per iteration: one per minibatch of every inner epoch. */
export function updatesPerIteration(cfg: Pick<DdpoConfig, 'batchSize' | 'trainBatchSize' | 'innerEpochs'>): number {
  return cfg.innerEpochs * Math.ceil(cfg.batchSize / cfg.trainBatchSize);
}

/** The steps training draws from: `eligible` of them, starting at index `first`. */
export function trainableSteps(cfg: Pick<DdpoConfig, 'steps' | 'skipSteps'>): { first: number; eligible: number } {
  const { first, last } = cfg.skipSteps;
  const eligible = cfg.steps - first - last;
  if (!(first >= 0 && last >= 0 && eligible >= 1)) throw new RangeError(`DDPO: skipping ${first} first and ${last} last of ${cfg.steps} steps leaves none to train on`);
  return { first, eligible };
}

/** Learning-rate factor of the run's `update`-th optimiser update (0-based): a linear warm-up, then 1. */
export function warmupFactor(update: number, warmupUpdates: number): number {
  return warmupUpdates > 0 ? Math.min(1, (update + 1) / warmupUpdates) : 1;
}

/** Clipped-surrogate updates over the batch: `innerEpochs` passes, minibatches of samples, shuffled timesteps. */
function trainOnTrajectories(cfg: DdpoConfig, run: DdpoRun, traj: Trajectory, advantages: number[], stepOpts: StepOptions, iteration: number, real?: ImageSet) {
  const { policy, optimizer, generator } = run;
  const b = traj.conditions.length;
  // the update count follows from the iteration, so a resumed run warms up exactly as an uninterrupted one
  const firstUpdate = iteration * updatesPerIteration(cfg);
  const { first, eligible } = trainableSteps(cfg);
  const trainSteps = Math.max(1, Math.round(eligible * cfg.timestepFraction));
  const params = [...policy.module.parameters(), ...(policy.ace ? policy.ace.parameters() : [])];
  const sums = { loss: 0, approxKl: 0, clipFraction: 0, gradNorm: 0, klToAnchor: 0, pretrainLoss: 0 };
  let terms = 0;
  let updates = 0;
  for (let epoch = 0; epoch < cfg.innerEpochs; epoch++) {
    const order = tidy(() => randperm(b, { generator }).toNumbers());
    // an independent order of the timesteps for every sample (ddpo-pytorch's perms)
    const stepOrder = tidy(() => F.sort(rand([b, eligible], { generator }), 1)[1].toNumbers()).map((s) => s + first);
    for (let start = 0; start < b; start += cfg.trainBatchSize) {
      const samples = order.slice(start, start + cfg.trainBatchSize);
      const conditions = samples.map((i) => traj.conditions[i]!);
      optimizer.zeroGrad();
      for (let k = 0; k < trainSteps; k++) {
        const steps = samples.map((i) => stepOrder[i * eligible + k]!);
        tidy(() => {
          const xt = gatherSteps(traj.latents, steps, samples);
          const xPrev = gatherSteps(traj.latents, steps.map((s) => s + 1), samples);
          const logpOld = gatherSteps(traj.logProbs, steps, samples);
          const { mean, std } = policy.stepDistribution(xt, steps, conditions, stepOpts);
          const logp = gaussianLogProb(xPrev, mean, std);
          const adv = tensor(samples.map((i) => advantages[i]!));
          const pl = clippedPolicyLoss(adv, logp, logpOld, cfg.clipRange);
          let loss = pl.loss;
          if (cfg.klToAnchor > 0) {
            const kl = gaussianKlSameStd(mean, run.anchor!.stepMean(xt, steps, conditions, stepOpts), std).mean();
            sums.klToAnchor += kl.item();
            loss = loss.add(kl.mul(cfg.klToAnchor));
          }
          loss.div(trainSteps).backward();
          sums.loss += pl.loss.item();
          sums.approxKl += pl.approxKl;
          sums.clipFraction += pl.clipFraction;
          terms++;
        });
      }
      if (cfg.pretrainWeight > 0) sums.pretrainLoss += pretrainLossBackward(policy, real!, cfg, firstUpdate + updates);
      sums.gradNorm += clipGradNorm(params, cfg.maxGradNorm);
      const f = warmupFactor(firstUpdate + updates, cfg.lrWarmupUpdates);
      optimizer.setLr(cfg.lr * f, 0);
      if (policy.ace) optimizer.setLr(cfg.aceLr * f, 1);
      optimizer.step();
      updates++;
    }
  }
  optimizer.zeroGrad();
  return {
    loss: sums.loss / terms,
    approxKl: sums.approxKl / terms,
    clipFraction: sums.clipFraction / terms,
    gradNorm: sums.gradNorm / updates,
    klToAnchor: sums.klToAnchor / terms,
    pretrainLoss: sums.pretrainLoss / updates,
  };
}

/**
 * β × the denoising loss of a batch of real images, back-propagated into the update's
 * gradient; returns the loss. Its batch, timesteps and noise come from a generator seeded
 * by the update's index, apart from the sampling stream: a run with it on samples the same
 * trajectories, and a resumed run draws the same real batches, without saved state.
 */
function pretrainLossBackward(policy: DiffusionPolicy, real: ImageSet, cfg: DdpoConfig, update: number): number {
  const generator = new Generator(cfg.seed * 1_000_033 + 104_729 * (update + 1));
  return tidy(() => {
    const loss = denoisingLosses(policy, real, cfg.pretrainBatch, generator).losses.mean();
    loss.mul(cfg.pretrainWeight).backward();
    return loss.item();
  });
}

/** `n` conditions drawn uniformly (with replacement) from `choices`. */
export function drawConditions(choices: readonly string[], n: number, generator: Generator): string[] {
  if (choices.length === 0) throw new RangeError('DDPO needs at least one condition to sample');
  return tidy(() => randint(0, choices.length, [n], { generator }).toNumbers()).map((i) => choices[i]!);
}

/** `n` conditions, each of `choices` ⌊n/k⌋ or ⌈n/k⌉ times: blocks of k in a random order, in a random order overall. */
export function drawBalancedConditions(choices: readonly string[], n: number, generator: Generator): string[] {
  if (choices.length === 0) throw new RangeError('DDPO needs at least one condition to sample');
  const k = choices.length;
  const picks: string[] = [];
  while (picks.length < n) picks.push(...tidy(() => randperm(k, { generator }).toNumbers()).map((i) => choices[i]!));
  const kept = picks.slice(0, n);
  return tidy(() => randperm(n, { generator }).toNumbers()).map((i) => kept[i]!);
}

/** Anchor, ACE tokens, optimizer, sampler Generator and advantage buffers: fresh, or restored from the newest checkpoint. */
function startRun(cfg: DdpoConfig, inputs: DdpoInputs): DdpoRun {
  const { policy } = inputs;
  const resumed = inputs.resume && inputs.outDir ? loadLatestAlignCheckpoint(inputs.outDir) : null;
  // the anchor is the starting model: frozen before any step (a resumed run reloads its weights below)
  const anchor = cfg.klToAnchor > 0 || inputs.rewards.some((r) => r.comparative) ? (inputs.anchor ?? new ComparativeAnchor(policy)) : null;
  if (cfg.aceTokens > 0 && !policy.ace) policy.ace = new AceTokens(cfg.aceTokens, policy.conditionDim, { generator: new Generator(cfg.seed + 1) });
  const groups: ParamGroup[] = [{ params: policy.module.parameters(), lr: cfg.lr, weightDecay: cfg.weightDecay }];
  if (policy.ace) groups.push({ params: policy.ace.parameters(), lr: cfg.aceLr, weightDecay: 0 });
  const optimizer = adamw(groups, { lr: cfg.lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: cfg.weightDecay });
  const generator = new Generator(cfg.seed);
  let advantages = new PerConditionAdvantages(cfg.advantages);
  let iteration = 0;
  if (resumed) {
    checkSameConfig(resumed.dir, resumed.state.config as Record<string, unknown>, cfg as unknown as Record<string, unknown>, RESUMABLE_KEYS);
    const t = resumed.tensors;
    restorePolicy(resumed.dir, t, policy);
    if (anchor) {
      if (!t.anchor) throw new AlignResumeError(resumed.dir, 'the run has an anchor but the checkpoint has no anchor.safetensors');
      anchor.policy.module.loadStateDict(t.anchor);
    }
    dispose(Object.values(t).map((m) => [...m.values()]));
    optimizer.loadState(resumed.optimizer!);
    generator.setState(resumed.generatorState);
    advantages = PerConditionAdvantages.fromJSON(resumed.state.advantages as ReturnType<PerConditionAdvantages['toJSON']>);
    iteration = resumed.iteration;
  }
  const metrics = inputs.outDir ? new MetricsLog(inputs.outDir, iteration) : null;
  return { iteration, generator, advantages, optimizer, anchor, policy, metrics };
}

/** Loads a checkpoint's generator weights and ACE tokens (when the policy has them) into `policy`. */
export function restorePolicy(dir: string, tensors: Record<string, Map<string, Tensor>>, policy: DiffusionPolicy): void {
  if (!tensors.weights) throw new AlignResumeError(dir, 'no weights.safetensors');
  policy.module.loadStateDict(tensors.weights);
  if (policy.ace) {
    if (!tensors.ace) throw new AlignResumeError(dir, 'the run uses ACE tokens but the checkpoint has no ace.safetensors');
    policy.ace.loadStateDict(tensors.ace);
  }
}

function saveRun(outDir: string, cfg: DdpoConfig, run: DdpoRun, iteration: number): string {
  const tensors: Record<string, Map<string, Tensor>> = { weights: run.policy.module.stateDict() };
  if (run.policy.ace) tensors.ace = run.policy.ace.stateDict();
  if (run.anchor) tensors.anchor = run.anchor.policy.module.stateDict();
  return saveAlignCheckpoint(outDir, {
    tensors,
    optimizer: run.optimizer.saveState(),
    iteration,
    generatorState: run.generator.getState(),
    state: { kind: 'ddpo', config: cfg, advantages: run.advantages.toJSON() },
  }, cfg.keepCheckpoints);
}
