// Which of a DDPO run's checkpoints to export. At a fixed learning rate DDPO keeps moving
// once its reward has peaked: on the long demo rewarded by the raters (β 0.03, seed 1) the
// oracle accepted 83–96% of each batch at iterations 82–88 and 56% by 95, and the exported
// last checkpoint scored 53%. Every iteration's batch reward is already an estimate of the
// policy that sampled it, free of extra samples or ratings (with `ddpoFeedback: ratings` it
// is the raters' own verdict); averaged over a window of neighbouring iterations it is
// precise enough to choose a checkpoint by (48 samples a batch: ±6 points alone, ±2 over 8).
// The choice is made after the run from metrics.jsonl, so a resumed run chooses as an
// uninterrupted one would. The maximum of noisy means is biased upwards: the chosen model's
// figures must come from fresh samples (the demo's validation study and evaluation do).
import { dispose, listCheckpoints, loadCheckpoint } from '../engine/index.js';
import { restorePolicy } from './ddpo.js';
import type { DiffusionPolicy } from './policy.js';
import { checkpointsRoot, readMetricsLog } from './run-state.js';

export interface CheckpointScore {
  /** Iterations done when the checkpoint was written: its weights sampled batch `iteration`. */
  iteration: number;
  /** Mean batch reward over `batches`. */
  score: number;
  /** First and last iteration (0-based, inclusive) whose batches the score averages. */
  batches: [number, number];
}

export interface CheckpointChoice extends CheckpointScore {
  window: number;
  /** Every saved checkpoint's score, in iteration order. */
  candidates: CheckpointScore[];
}

/**
 * The checkpoint whose neighbourhood of batches scored best. Checkpoint c holds the weights
 * after c iterations, the policy that sampled batch c, so its window is centred there:
 * batches c − ⌊(w−1)/2⌋ … c + ⌈(w−1)/2⌉, cut to the batches the run has (the last
 * checkpoint's own batch was never sampled). Ties go to the earlier checkpoint, the one
 * nearer the starting model.
 */
export function chooseCheckpoint(batchRewards: readonly number[], saved: readonly number[], window: number): CheckpointChoice {
  if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`checkpoint choice: the window must be a whole number of iterations ≥ 1, got ${window}`);
  if (batchRewards.length === 0) throw new RangeError('checkpoint choice: the run logged no batch rewards (metrics.jsonl is empty)');
  const usable = [...new Set(saved)].filter((c) => c >= 1 && c <= batchRewards.length).sort((a, b) => a - b);
  if (usable.length === 0) throw new RangeError(`checkpoint choice: no saved checkpoint lies within the ${batchRewards.length} logged iterations (saved: ${saved.join(', ') || 'none'})`);
  const before = Math.floor((window - 1) / 2);
  const after = window - 1 - before;
  const candidates = usable.flatMap((c): CheckpointScore[] => {
    const from = Math.max(0, c - before);
    const to = Math.min(batchRewards.length - 1, c + after);
    // a window of 1 has nothing for the last checkpoint, whose own batch was never sampled
    if (from > to) return [];
    const scores = batchRewards.slice(from, to + 1);
    return [{ iteration: c, score: scores.reduce((a, b) => a + b, 0) / scores.length, batches: [from, to] }];
  });
  if (candidates.length === 0) throw new RangeError(`checkpoint choice: no saved checkpoint has a batch within ${window} iteration(s) of it (saved: ${usable.join(', ')})`);
  const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
  return { ...best, window, candidates };
}

/**
 * Chooses among the checkpoints in `runDir` by its metrics.jsonl (`chooseCheckpoint`) and
 * loads the chosen one's weights and ACE tokens into `policy`, ready to export.
 */
export function keepBestCheckpoint(runDir: string, policy: DiffusionPolicy, window: number): CheckpointChoice {
  const history = readMetricsLog<{ iteration: number; reward: { mean: number } }>(runDir);
  history.forEach((m, i) => {
    if (m.iteration !== i) throw new RangeError(`${runDir}/metrics.jsonl: line ${i + 1} is iteration ${m.iteration}, expected ${i}: the log has a gap, so batch rewards cannot be matched to checkpoints`);
  });
  const saved = listCheckpoints(checkpointsRoot(runDir));
  const choice = chooseCheckpoint(history.map((m) => m.reward.mean), saved.map((c) => c.step), window);
  const dir = saved.find((c) => c.step === choice.iteration)!.dir;
  const ck = loadCheckpoint(dir);
  try {
    restorePolicy(dir, ck.tensors, policy);
  } finally {
    for (const m of Object.values(ck.tensors)) dispose([...m.values()]);
  }
  return choice;
}
