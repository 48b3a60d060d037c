import { type Conv2dOptions, conv2d } from '../functional.js';
import { defaultWeightBound, uniform } from '../init.js';
import { Module } from '../module.js';
import type { Tensor } from '../tensor.js';

export interface Conv2dConfig extends Conv2dOptions {
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly opts: Conv2dOptions;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    cfg: Conv2dConfig = {},
  ) {
    super();
    const groups = cfg.groups ?? 1;
    const bound = defaultWeightBound((inChannels / groups) * kernelSize * kernelSize);
    this.weight = this.param('weight', uniform([outChannels, inChannels / groups, kernelSize, kernelSize], bound));
    this.bias = cfg.bias === false ? null : this.param('bias', uniform([outChannels], bound));
    this.opts = { stride: cfg.stride ?? 1, padding: cfg.padding ?? 0, dilation: cfg.dilation ?? 1, groups };
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.opts);
  }
}
