// Appending K learned tokens [K, D] to every sequence of a batch (ACE, Han et al.):
// the UNet attends to them like real condition tokens; the mask marks them real.
import { type Tensor, cat, ones, tidy } from '../../engine/index.js';
import type { ConditionTokens } from './condition-encoder.js';

export function appendTokens(cond: ConditionTokens, extra: Tensor): ConditionTokens {
  return tidy(() => {
    const [b, , d] = cond.tokens.shape as [number, number, number];
    const k = extra.dim(0);
    if (extra.dim(1) !== d) throw new RangeError(`appendTokens: extra tokens have width ${extra.dim(1)}, condition tokens ${d}`);
    const tokens = cat([cond.tokens, extra.unsqueeze(0).expand([b, k, d])], 1);
    if (!cond.mask) return { tokens };
    return { tokens, mask: cat([cond.mask.float(), ones([b, k])], 1) };
  });
}
