// Writing a finetuned policy as a generator bundle that loadGenerator reads, with
// its ACE tokens (if any) beside it, so the bundle samples as the policy did.
import { join } from 'node:path';
import { cat, tidy } from '../engine/index.js';
import type { GeneratorPolicy } from './generator-policy.js';

/** Exports the finetuned generator as a loadable bundle (<run>/generator/) with its ACE tokens beside it. */
export function exportGenerator(runDir: string, policy: GeneratorPolicy, step: number): string {
  const dir = join(runDir, 'generator');
  tidy(() => {
    // the policy appends its ACE tokens after any the generator already carries (an
    // exported ACE run finetuned again): the bundle keeps both, in that order
    const own = policy.module.appendedTokens;
    const ace = policy.ace?.tokens.detach();
    const tokens = own && ace ? cat([own, ace], 0) : (ace ?? own ?? undefined);
    policy.module.save(dir, { step, ...(tokens ? { appendedTokens: tokens } : {}) });
  });
  return dir;
}
