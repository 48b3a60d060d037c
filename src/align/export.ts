// Writing a finetuned policy as a generator bundle that loadGenerator reads, with
// its ACE tokens (if any) beside it.
import { join } from 'node:path';
import { saveSafetensors } from '../engine/index.js';
import type { GeneratorPolicy } from './generator-policy.js';

/** Exports the finetuned generator as a loadable bundle (<run>/generator/) with its ACE tokens beside it. */
export function exportGenerator(runDir: string, policy: GeneratorPolicy, step: number): string {
  const dir = join(runDir, 'generator');
  policy.module.save(dir, { step });
  if (policy.ace) saveSafetensors(join(dir, 'ace.safetensors'), policy.ace.stateDict());
  return dir;
}
