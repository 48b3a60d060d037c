import { embedding } from '../functional.js';
import { normal } from '../init.js';
import { Module } from '../module.js';
import type { Tensor } from '../tensor.js';

/** A lookup table, N(0, std²) initialised (torch.nn.Embedding uses std 1). */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly count: number,
    readonly dim: number,
    std = 1,
  ) {
    super();
    this.weight = this.param('weight', normal([count, dim], std));
  }
  forward(indices: Tensor): Tensor {
    return embedding(this.weight, indices);
  }
}
