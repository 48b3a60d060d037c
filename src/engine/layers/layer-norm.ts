import { ones, zeros } from '../creation.js';
import { layerNorm } from '../functional.js';
import { Module } from '../module.js';
import type { Tensor } from '../tensor.js';

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    readonly features: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', ones([features]));
    this.bias = this.param('bias', zeros([features]));
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, [this.features], this.weight, this.bias, this.eps);
  }
}
