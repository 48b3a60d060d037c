// Sinusoidal timestep embedding (improved-diffusion's `timestep_embedding`):
// [cos(t·f_0..f_{h−1}), sin(t·f_0..f_{h−1})] with f_i = maxPeriod^(−i/h), h = dim/2,
// followed by the two-layer MLP that lifts it to the UNet's embedding width.
import { type Device, Linear, Module, type Tensor, arange, cat, tidy } from '../engine/index.js';

/** `t` [B] (float timesteps, possibly fractional) → [B, dim]. */
export function timestepEmbedding(t: Tensor, dim: number, maxPeriod = 10000): Tensor {
  return tidy(() => {
    const half = Math.floor(dim / 2);
    const freqs = arange(0, half, 1, { dtype: 'float32', device: t.device as Device })
      .mul(-Math.log(maxPeriod) / half)
      .exp();
    const args = t.float().unsqueeze(1).mul(freqs.unsqueeze(0));
    const emb = cat([args.cos(), args.sin()], 1);
    return dim % 2 === 1 ? cat([emb, emb.slice(1, 0, 1).mul(0)], 1) : emb;
  });
}

/** Sinusoidal features → Linear → SiLU → Linear, as in improved-diffusion's `time_embed`. */
export class TimestepEmbedder extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    readonly frequencyDim: number,
    readonly embedDim: number,
  ) {
    super();
    this.fc1 = this.child('fc1', new Linear(frequencyDim, embedDim));
    this.fc2 = this.child('fc2', new Linear(embedDim, embedDim));
  }
  forward(t: Tensor): Tensor {
    return tidy(() => this.fc2.forward(this.fc1.forward(timestepEmbedding(t, this.frequencyDim)).silu()));
  }
}
