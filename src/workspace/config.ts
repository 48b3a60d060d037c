// medloop.yaml: the workspace's validated configuration. Every command reads it;
// every key has a default, so an empty file is a working config. An unknown or
// wrong key fails with its dotted path and the allowed keys or values.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { REWARD_BASELINES } from '../align/rwl.js';
import { PREDICTIONS } from '../diffusion/prediction.js';
import { GLOBAL_POOLS } from '../models/reward-net-backbone.js';

const dataSchema = z
  .object({
    /** `phantom:cells`, `phantom:cxr`, or a folder/CSV of real images. */
    source: z.string().default('phantom:cells'),
    size: z.union([z.literal(16), z.literal(32), z.literal(64)]).default(32),
    /** Images rendered when the source is a phantom. */
    phantomCount: z.number().int().positive().default(2000),
    /** Only these classes (default: every class of the data). */
    classes: z.array(z.string()).default([]),
  })
  .strict();

const generatorSchema = z
  .object({
    baseWidth: z.number().int().positive().default(32),
    steps: z.number().int().positive().default(1500),
    batch: z.number().int().positive().default(32),
    lr: z.number().positive().default(3e-4),
    schedule: z.enum(['linear', 'cosine']).default('cosine'),
    /** What the UNet predicts: ε, or v (Salimans & Ho 2022), which stays well conditioned at the noisiest steps. */
    prediction: z.enum(PREDICTIONS).default('epsilon'),
    checkpointEvery: z.number().int().positive().default(250),
    emaDecay: z.number().min(0).max(1).default(0.995),
  })
  .strict();

const samplingSchema = z
  .object({
    steps: z.number().int().positive().default(20),
    eta: z.number().min(0).max(1).default(1),
    cfg: z.number().min(0).default(2),
  })
  .strict();

const studySchema = z
  .object({
    mode: z.enum(['binary', 'pairwise']).default('binary'),
    samplesPerCondition: z.number().int().positive().default(24),
    raters: z.number().int().positive().default(3),
    ratersPerItem: z.number().int().positive().default(3),
    goldRate: z.number().min(0).max(1).default(0.1),
    errorRate: z.number().min(0).max(0.5).default(0.1),
    bias: z.number().min(-1).max(1).default(0),
  })
  .strict();

const rewardSchema = z
  .object({
    epochs: z.number().int().positive().default(15),
    /** Share of real (true-class / wrong-class) pairs in each reward-model batch. */
    realMix: z.number().min(0).max(1).default(0.5),
    /** Reward models trained on bootstrap resamples of the same data (1 = a single model). */
    members: z.number().int().min(1).max(20).default(1),
    /** An ensemble's reward: mean − pessimism × standard deviation across members. */
    pessimism: z.number().min(0).default(1),
    /** Colour-shifted real images added as implausible (RGB data only; 0 = none). */
    colourNegatives: z.number().int().min(0).default(0),
    /** Global pooling of the reward net's image features ('max' keeps small local signs; why: models/reward-net.ts). */
    pooling: z.enum(GLOBAL_POOLS).default('max'),
  })
  .strict();

/** Reward-weighted likelihood (Sun et al.): fresh samples rated by the reward model, then finetuning. */
const rwlSchema = z
  .object({
    /** Fresh samples per condition scored by the reward model (the rated synthetic set). */
    ratedPerCondition: z.number().int().positive().default(64),
    steps: z.number().int().positive().default(200),
    /** Synthetic and real images per step (each). */
    batch: z.number().int().positive().default(16),
    lr: z.number().positive().default(1e-4),
    /** Share of conditions replaced by NULL while finetuning, as in pretraining (keeps guidance calibrated). */
    condDropout: z.number().min(0).max(1).default(0.1),
    /** Zero of the rewards' weights: none (Sun et al.: w = r) or condition-mean (w = r − the condition's mean reward). */
    rewardBaseline: z.enum(REWARD_BASELINES).default('none'),
  })
  .strict();

/** What DDPO maximises: the trained reward models, or the raters' verdicts on its own samples, rated as it trains. */
export const DDPO_FEEDBACK = ['reward-model', 'ratings'] as const;
export const DDPO_KEEP = ['last', 'best'] as const;
export type DdpoFeedback = (typeof DDPO_FEEDBACK)[number];

const alignSchema = z
  .object({
    methods: z.array(z.enum(['ddpo', 'rwl'])).min(1).default(['ddpo', 'rwl']),
    /** Weighted rewards, `name:weight,…` (see `medloop rewards`). */
    rewards: z.string().default('plausibility:1'),
    /** Rewards scored relative to the frozen anchor's sample (RLCF). */
    comparative: z.array(z.string()).default([]),
    /** Learnable condition tokens appended to the condition sequence (ACE). */
    aceTokens: z.number().int().min(0).default(0),
    /** DDPO: iterations of (sample a batch of trajectories → clipped policy-gradient steps). */
    iterations: z.number().int().positive().default(8),
    batch: z.number().int().positive().default(16),
    lr: z.number().positive().default(1e-4),
    /** DDPO: share of each trajectory's denoising steps trained on (1 = all, as in DDPO). */
    timestepFraction: z.number().gt(0).max(1).default(1),
    /** DDPO: optimiser updates over which the learning rate rises linearly (0 = none). */
    warmupUpdates: z.number().int().min(0).default(0),
    /** DDPO: steps left out of training at the start and the end of each trajectory (their log-prob gradients swamp the rest). */
    skipSteps: z.object({ first: z.number().int().min(0).default(1), last: z.number().int().min(0).default(1) }).strict().default({}),
    /** DDPO: conditions drawn independently (uniform) or equally often in every batch (balanced). */
    conditionDraw: z.enum(['uniform', 'balanced']).default('uniform'),
    /** DDPO: advantage statistics before a condition has history: the whole batch's, or the condition's own samples in it. */
    advantageFallback: z.enum(['batch', 'condition-batch']).default('batch'),
    /** DDPO's reward: the trained reward models (align.rewards), or the raters' own verdicts on every iteration's samples (a study per batch). */
    ddpoFeedback: z.enum(DDPO_FEEDBACK).default('reward-model'),
    /** DDPO with ddpoFeedback ratings: raters per sample (the reward is the share who say plausible). */
    ratingsPerSample: z.number().int().min(1).default(1),
    /** DDPO: β × the denoising loss on 16 real images added to every update (0 = off): holds what the reward does not check to the real data. */
    pretrainWeight: z.number().min(0).default(0),
    /** DDPO: weight of KL(policy ‖ frozen baseline) on every trained step (0 = off): holds what the reward does not check to where it started. */
    klToAnchor: z.number().min(0).default(0),
    /**
     * DDPO: the checkpoint exported as the finetuned generator: the last, or the one whose
     * neighbouring batches scored best (mean batch reward over `keepWindow` iterations around
     * it). With `ddpoFeedback: ratings` that score is the raters' own verdict on each batch,
     * so choosing costs no rating; with the reward models it is what DDPO optimised.
     */
    ddpoKeep: z.enum(DDPO_KEEP).default('last'),
    keepWindow: z.number().int().min(1).default(8),
    /** DDPO: checkpoint every n iterations (default: a quarter of the run, or every 2 with ddpoKeep best). */
    checkpointEvery: z.number().int().positive().optional(),
    /** β of the reward-weighted likelihood's pretraining term (Sun et al.: 0.3). */
    beta: z.number().min(0).default(0.3),
    rwl: rwlSchema.default({}),
  })
  .strict();

/**
 * A blinded study of fresh samples of the baseline and of every aligned model, rated by
 * the study's raters; the aligned model they accept most is the demo's headline.
 */
const validationSchema = z
  .object({
    /** Samples per condition and model (0 = no validation study: the headline is align.methods' first). */
    samplesPerCondition: z.number().int().min(0).default(0),
  })
  .strict();

const evalSchema = z
  .object({
    samplesPerCondition: z.number().int().positive().default(32),
  })
  .strict();

export const configSchema = z
  .object({
    name: z.string().default('medloop'),
    seed: z.number().int().default(1),
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    data: dataSchema.default({}),
    generator: generatorSchema.default({}),
    sampling: samplingSchema.default({}),
    study: studySchema.default({}),
    reward: rewardSchema.default({}),
    align: alignSchema.default({}),
    validation: validationSchema.default({}),
    eval: evalSchema.default({}),
  })
  .strict();

export type MedloopConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly key: string,
    reason: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ''}${reason}`);
  }
}

/** Object keys allowed at a dotted path of the schema (for "unknown key" messages). */
function allowedKeysAt(path: (string | number)[]): string[] {
  let s: z.ZodTypeAny = configSchema;
  for (const p of path) {
    while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s._def.innerType;
    if (!(s instanceof z.ZodObject)) return [];
    s = (s.shape as Record<string, z.ZodTypeAny>)[String(p)] ?? z.never();
  }
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s._def.innerType;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

export function parseConfig(raw: unknown, file = 'medloop.yaml'): MedloopConfig {
  const r = configSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const at = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = [...issue.path, issue.keys[0]!].join('.');
    throw new ConfigError(file, key, `unknown key (allowed here: ${allowedKeysAt(issue.path).join(', ')})`);
  }
  if (issue.code === 'invalid_enum_value') {
    throw new ConfigError(file, at, `'${String(issue.received)}' is not allowed (use one of: ${issue.options.join(', ')})`);
  }
  if (issue.code === 'invalid_union') {
    throw new ConfigError(file, at, `invalid value (allowed: ${describeUnion(issue)})`);
  }
  throw new ConfigError(file, at, issue.message);
}

function describeUnion(issue: z.ZodInvalidUnionIssue): string {
  const values = issue.unionErrors.flatMap((e) => e.issues.map((i) => ('expected' in i ? String(i.expected) : i.message)));
  return [...new Set(values)].join(', ');
}

export function loadConfig(file: string): MedloopConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, '', `cannot read (${(e as NodeJS.ErrnoException).code}); create one with \`medloop init DIR\``);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(file, '', `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseConfig(raw, file);
}

/** The config file `medloop init` writes: every default, spelled out, with comments. */
export const DEFAULT_CONFIG_YAML = `# medloop workspace configuration. Every key is optional; these are the defaults.
name: medloop
seed: 1
device: auto            # auto | cpu | cuda

data:
  source: phantom:cells # phantom:cells | phantom:cxr | a folder (<label>/<file>) or CSV (path,label[,report])
  size: 32              # 16 | 32 | 64 pixels
  phantomCount: 2000    # images rendered when the source is a phantom
  classes: []           # only these classes (default: all)

generator:
  baseWidth: 32         # UNet base channels
  steps: 1500           # pretraining steps
  batch: 32
  lr: 0.0003
  schedule: cosine      # linear | cosine
  prediction: epsilon   # epsilon | v (v stays well conditioned at the noisiest steps: better few-step samples)
  checkpointEvery: 250
  emaDecay: 0.995

sampling:
  steps: 20             # DDIM steps
  eta: 1                # 0 = deterministic DDIM, 1 = stochastic (needed for policy gradients)
  cfg: 2                # classifier-free guidance scale

study:
  mode: binary          # binary | pairwise
  samplesPerCondition: 24
  raters: 3
  ratersPerItem: 3
  goldRate: 0.1         # share of real images mixed in as hidden gold items
  errorRate: 0.1        # simulated raters only
  bias: 0               # simulated raters only: > 0 leans to "plausible"

reward:
  epochs: 15
  realMix: 0.5          # share of real true-class / wrong-class pairs in reward-model batches
  members: 1            # reward models on bootstrap resamples (an ensemble when > 1)
  pessimism: 1          # ensemble reward = mean − pessimism × sd across members
  colourNegatives: 0    # real RGB images with hue/saturation shifted far out of range, trained on as implausible
  pooling: max          # the reward net's global pooling: max (sees a few-pixel sign such as a vacuole) or mean

align:
  methods: [ddpo, rwl]
  rewards: plausibility:1   # name:weight,… — plausibility, classifier, posture, diagnostic, consistency, compressibility
  comparative: []       # rewards scored against the frozen anchor (RLCF), e.g. [diagnostic, consistency]
  aceTokens: 0          # learnable condition tokens (ACE)
  iterations: 8         # DDPO: sample → policy-gradient iterations
  batch: 16             # DDPO: trajectories per iteration
  lr: 0.0001            # DDPO learning rate
  timestepFraction: 1   # DDPO: share of each trajectory's denoising steps trained on
  warmupUpdates: 0      # DDPO: optimiser updates of linear learning-rate warm-up
  skipSteps: { first: 1, last: 1 }   # DDPO: steps not trained on at each end of a trajectory (0, 0 = DDPO's)
  conditionDraw: uniform             # DDPO: uniform or balanced conditions per batch
  advantageFallback: batch           # DDPO: advantage statistics before history: batch or condition-batch
  ddpoFeedback: reward-model         # DDPO's reward: reward-model (align.rewards) or ratings (the raters rate every iteration's samples)
  ratingsPerSample: 1                # DDPO with ratings: raters per sample
  pretrainWeight: 0                  # DDPO: β × the pretraining loss on real images per update (0 = off)
  klToAnchor: 0                      # DDPO: weight of the per-step KL to the frozen baseline (0 = off)
  ddpoKeep: last                     # DDPO: the checkpoint exported: last, or best (its neighbouring batches' mean reward)
  keepWindow: 8                      # DDPO with ddpoKeep best: iterations averaged around each checkpoint
  beta: 0.3             # RWL: weight of the pretraining loss on real images
  rwl:
    ratedPerCondition: 64   # fresh samples per condition scored by the reward model
    steps: 200
    batch: 16           # synthetic and real images per step (each)
    lr: 0.0001
    condDropout: 0.1    # share of conditions dropped to NULL, as in pretraining
    rewardBaseline: none   # none (Sun et al.: weight = reward) or condition-mean (weight = reward − its condition's mean)

validation:
  samplesPerCondition: 0   # per condition and model, rated blinded by the study's raters; the aligned model they accept most is the headline (0 = none: align.methods' first)

eval:
  samplesPerCondition: 32
`;
