// The UNet's residual block (improved-diffusion's ResBlock): GroupNorm → SiLU → conv,
// plus a projection of the timestep(+condition) embedding added per channel, then
// GroupNorm → SiLU → dropout → zero-initialised conv, and a 1×1 skip when widths differ.
import { Conv2d, F, GroupNorm, Linear, Module, type Tensor, tidy } from '../engine/index.js';
import { zeroModule } from './zero-init.js';

export class ResBlock extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly embProj: Linear;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly skip: Conv2d | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    embedDim: number,
    groups: number,
    readonly dropout = 0,
  ) {
    super();
    this.norm1 = this.child('norm1', new GroupNorm(groups, inChannels));
    this.conv1 = this.child('conv1', new Conv2d(inChannels, outChannels, 3, { padding: 1 }));
    this.embProj = this.child('emb_proj', new Linear(embedDim, outChannels));
    this.norm2 = this.child('norm2', new GroupNorm(groups, outChannels));
    this.conv2 = this.child('conv2', zeroModule(new Conv2d(outChannels, outChannels, 3, { padding: 1 })));
    this.skip = inChannels === outChannels ? null : this.child('skip', new Conv2d(inChannels, outChannels, 1));
  }

  /** `x` [B, Cin, H, W], `emb` [B, E] → [B, Cout, H, W]. */
  forward(x: Tensor, emb: Tensor): Tensor {
    return tidy(() => {
      let h = this.conv1.forward(this.norm1.forward(x).silu());
      h = h.add(this.embProj.forward(emb.silu()).unsqueeze(-1).unsqueeze(-1));
      h = this.norm2.forward(h).silu();
      if (this.dropout > 0) h = F.dropout(h, this.dropout, this.training);
      h = this.conv2.forward(h);
      return (this.skip ? this.skip.forward(x) : x).add(h);
    });
  }
}

export class Downsample extends Module {
  readonly conv: Conv2d;
  constructor(channels: number) {
    super();
    this.conv = this.child('conv', new Conv2d(channels, channels, 3, { stride: 2, padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
}

export class Upsample extends Module {
  readonly conv: Conv2d;
  constructor(channels: number) {
    super();
    this.conv = this.child('conv', new Conv2d(channels, channels, 3, { padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.conv.forward(F.interpolate(x, [x.dim(2) * 2, x.dim(3) * 2], 'nearest')));
  }
}
