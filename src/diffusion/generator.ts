// The generator bundle: UNet + condition encoder + noise schedule + config, saved
// as a checkpoint folder (weights.safetensors, ema.safetensors, state.json with the
// config) so reward, align, eval and the demo can load a run and sample from it.
// A finetuned bundle may also hold ace.safetensors: learned tokens (ACE) that were
// appended to every condition while it was trained, and must be at sampling too.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CheckpointError, Module, type Tensor, keep, listCheckpoints, loadCheckpoint, saveCheckpoint, tidy } from '../engine/index.js';
import type { ConditionEncoder, ConditionEncoderConfig, ConditionTokens } from '../models/conditions/condition-encoder.js';
import { appendTokens, createConditionEncoder } from '../models/conditions/index.js';
import { UNet, type UNetConfig } from '../models/unet.js';
import type { EpsilonModel } from './denoiser.js';
import type { Prediction } from './prediction.js';
import { type NoiseSchedule, type ScheduleConfig, createSchedule, epsFromV } from './schedule.js';

export interface GeneratorConfig {
  unet: UNetConfig;
  condition: ConditionEncoderConfig;
  schedule: ScheduleConfig;
  /** Images are size × size × channels, scaled from [0, 1] to [−1, 1]. */
  image: { size: number; channels: 1 | 3 };
  /** What the UNet predicts (absent: 'epsilon', as every checkpoint written before this key). */
  prediction?: Prediction;
}

export class DiffusionGenerator extends Module implements EpsilonModel {
  readonly unet: UNet;
  readonly encoder: ConditionEncoder;
  readonly schedule: NoiseSchedule;
  /** Where it was loaded from (run folder, checkpoint step), when it was. */
  source: { runDir?: string; checkpointDir?: string; checkpointStep?: number; weights?: 'live' | 'ema' } = {};
  /**
   * Learned tokens [K, D] appended to every encoded condition, NULL included (a
   * finetuned bundle's ACE tokens), or null. Not a parameter: they belong to the
   * finetuning, so the weights keep the pretrained architecture's state dict.
   */
  appendedTokens: Tensor | null = null;

  constructor(readonly config: GeneratorConfig) {
    super();
    this.encoder = this.child('encoder', createConditionEncoder(config.condition));
    this.unet = this.child('unet', new UNet({ ...config.unet, contextDim: this.encoder.dim }));
    this.schedule = createSchedule(config.schedule);
  }

  get prediction(): Prediction {
    return this.config.prediction ?? 'epsilon';
  }

  predictOutput(x: Tensor, t: Tensor, cond: ConditionTokens): Tensor {
    return this.unet.forward(x, t, cond.tokens, cond.mask);
  }

  predictEpsilon(x: Tensor, t: Tensor, cond: ConditionTokens): Tensor {
    if (this.prediction === 'epsilon') return this.predictOutput(x, t, cond);
    return tidy(() => epsFromV(this.schedule, x, t.toNumbers().map(Math.round), this.predictOutput(x, t, cond)));
  }

  encode(conditions: ReadonlyArray<string | null>): ConditionTokens {
    if (!this.appendedTokens) return this.encoder.encode(conditions);
    return tidy(() => appendTokens(this.encoder.encode(conditions), this.appendedTokens!));
  }

  /** Throws UnknownConditionError (listing the valid classes) for a condition the model cannot encode. */
  validateCondition(condition: string): void {
    this.encoder.validate(condition);
  }

  /**
   * Writes a loadable checkpoint folder (weights, optional EMA weights, config), and
   * the appended tokens as ace.safetensors: `appendedTokens` if given (an exported
   * policy's full token list), else the generator's own.
   */
  save(dir: string, opts: { ema?: Map<string, Tensor>; step?: number; appendedTokens?: Tensor } = {}): void {
    const tokens = opts.appendedTokens ?? this.appendedTokens;
    saveCheckpoint(dir, {
      tensors: { weights: this.stateDict(), ...(opts.ema ? { ema: opts.ema } : {}), ...(tokens ? { [ACE_TENSORS]: new Map([[ACE_TOKENS_KEY, tokens]]) } : {}) },
      state: { kind: 'generator', config: this.config, step: opts.step ?? 0 },
    });
  }

  override dispose(): void {
    super.dispose();
    this.appendedTokens?.dispose();
    this.appendedTokens = null;
  }
}

/** The bundle's tensor file with the appended (ACE) tokens, and the tensor's key: AceTokens' state dict. */
export const ACE_TENSORS = 'ace';
export const ACE_TOKENS_KEY = 'tokens';

export function createGenerator(config: GeneratorConfig): DiffusionGenerator {
  return new DiffusionGenerator(config);
}

export class GeneratorLoadError extends Error {
  override name = 'GeneratorLoadError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** The checkpoint folder for a run folder (latest, or `step`) or a checkpoint folder itself. */
export function resolveCheckpoint(path: string, step?: number): { checkpointDir: string; runDir?: string } {
  const p = resolve(path);
  if (existsSync(join(p, 'state.json'))) return { checkpointDir: p };
  const list = listCheckpoints(join(p, 'checkpoints'));
  if (list.length === 0) throw new GeneratorLoadError(p, 'no checkpoints (expected <run>/checkpoints/step-N/ or a checkpoint folder with state.json)');
  if (step === undefined) return { checkpointDir: list[0]!.dir, runDir: p };
  const found = list.find((c) => c.step === step);
  if (!found) throw new GeneratorLoadError(p, `no checkpoint at step ${step} (steps: ${list.map((c) => c.step).join(', ')})`);
  return { checkpointDir: found.dir, runDir: p };
}

export interface LoadGeneratorOptions {
  /** Load the EMA weights (default true when the checkpoint has them). */
  ema?: boolean;
  /** A checkpoint step of the run (default: the latest). */
  step?: number;
}

/** Loads a generator from a run folder (`runs/<id>`) or a checkpoint folder, in eval mode. */
export function loadGenerator(path: string, opts: LoadGeneratorOptions = {}): DiffusionGenerator {
  const { checkpointDir, runDir } = resolveCheckpoint(path, opts.step);
  const ckpt = loadCheckpoint(checkpointDir);
  try {
    const config = ckpt.state.config as GeneratorConfig | undefined;
    if (!config?.unet || !config.condition) throw new GeneratorLoadError(join(checkpointDir, 'state.json'), 'not a generator checkpoint (no config.unet / config.condition)');
    const gen = new DiffusionGenerator(config);
    const useEma = opts.ema ?? true;
    const weights = useEma && ckpt.tensors.ema ? ckpt.tensors.ema : ckpt.tensors.weights;
    if (!weights) throw new CheckpointError(checkpointDir, 'no weights.safetensors');
    if (opts.ema === true && !ckpt.tensors.ema) throw new GeneratorLoadError(checkpointDir, 'EMA weights requested but the checkpoint has no ema.safetensors');
    gen.loadStateDict(weights);
    const ace = ckpt.tensors[ACE_TENSORS];
    if (ace) {
      try {
        gen.appendedTokens = appendedTokensFrom(ace, join(checkpointDir, `${ACE_TENSORS}.safetensors`), gen.encoder.dim);
      } catch (e) {
        gen.dispose();
        throw e;
      }
    }
    gen.eval();
    gen.source = { ...(runDir ? { runDir } : {}), checkpointDir, checkpointStep: Number(ckpt.state.step ?? 0), weights: weights === ckpt.tensors.ema ? 'ema' : 'live' };
    return gen;
  } finally {
    for (const m of Object.values(ckpt.tensors)) for (const t of m.values()) t.dispose();
  }
}

/** A copy of the ACE tokens [K, D] of a bundle, checked against the encoder's width. */
function appendedTokensFrom(file: Map<string, Tensor>, path: string, dim: number): Tensor {
  const t = file.get(ACE_TOKENS_KEY);
  if (!t) throw new GeneratorLoadError(path, `no '${ACE_TOKENS_KEY}' tensor (has: ${[...file.keys()].join(', ') || 'none'})`);
  if (t.ndim !== 2 || t.dim(1) !== dim) throw new GeneratorLoadError(path, `'${ACE_TOKENS_KEY}' has shape [${t.shape}], expected [K, ${dim}]`);
  return keep(t.clone());
}

/** The config of a run's latest checkpoint without loading weights (for listing classes, etc.). */
export function readGeneratorConfig(path: string): GeneratorConfig {
  const { checkpointDir } = resolveCheckpoint(path);
  return (JSON.parse(readFileSync(join(checkpointDir, 'state.json'), 'utf8')) as { config: GeneratorConfig }).config;
}
