// Zero-initialised output layers (improved-diffusion's `zero_module`): each residual
// branch starts as the identity, which keeps early training of deep UNets stable.
import { type Module, noGrad } from '../engine/index.js';

export function zeroModule<M extends Module>(m: M): M {
  noGrad(() => {
    for (const p of m.parameters()) p.zero_();
  });
  return m;
}
