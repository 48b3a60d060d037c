import { linear } from '../functional.js';
import { defaultWeightBound, uniform } from '../init.js';
import { Module } from '../module.js';
import type { Tensor } from '../tensor.js';

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean } = {},
  ) {
    super();
    const bound = defaultWeightBound(inFeatures);
    this.weight = this.param('weight', uniform([outFeatures, inFeatures], bound));
    this.bias = opts.bias === false ? null : this.param('bias', uniform([outFeatures], bound));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
