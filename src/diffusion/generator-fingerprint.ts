// What a generator folder will sample with, as a short hash of the weight files loadGenerator
// reads (weights, EMA, ACE tokens of the checkpoint it resolves to). A run id alone does not say
// this: a DDPO run resumed with more iterations keeps its id but not its weights, and a study of
// its old samples must not stand in for one of its new ones.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACE_TENSORS, resolveCheckpoint } from './generator.js';

const WEIGHT_FILES = ['weights.safetensors', 'ema.safetensors', `${ACE_TENSORS}.safetensors`];

/** 12 hex digits of SHA-256 over the resolved checkpoint's weight files (latest checkpoint of a run folder). */
export function generatorFingerprint(path: string): string {
  const { checkpointDir } = resolveCheckpoint(path);
  const h = createHash('sha256');
  let files = 0;
  for (const f of WEIGHT_FILES) {
    const p = join(checkpointDir, f);
    if (!existsSync(p)) continue;
    h.update(f).update(readFileSync(p));
    files++;
  }
  if (files === 0) throw new Error(`${checkpointDir}: no weight files (${WEIGHT_FILES.join(', ')}) to fingerprint`);
  return h.digest('hex').slice(0, 12);
}
