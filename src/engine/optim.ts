// torch::optim optimisers (Adam, AdamW, SGD) with parameter groups, learning-rate
// control for schedules, and state bytes for exact resume.
import { type NativeOptimizer, native } from './native.js';
import type { Tensor } from './tensor.js';

export type OptimizerKind = 'adam' | 'adamw' | 'sgd';

export interface ParamGroup {
  params: Tensor[];
  lr?: number;
  weightDecay?: number;
}

export interface OptimizerOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

export class Optimizer {
  private readonly native: NativeOptimizer;
  readonly groups: ParamGroup[];

  constructor(
    readonly kind: OptimizerKind,
    params: Tensor[] | ParamGroup[],
    readonly options: OptimizerOptions,
  ) {
    this.groups = params.length > 0 && !('params' in (params[0] as object)) ? [{ params: params as Tensor[] }] : (params as ParamGroup[]);
    const defaults: Record<string, number | boolean> = { lr: options.lr };
    if (options.betas) [defaults.beta1, defaults.beta2] = options.betas;
    if (options.eps !== undefined) defaults.eps = options.eps;
    if (options.weightDecay !== undefined) defaults.weightDecay = options.weightDecay;
    if (options.momentum !== undefined) defaults.momentum = options.momentum;
    if (options.dampening !== undefined) defaults.dampening = options.dampening;
    if (options.nesterov !== undefined) defaults.nesterov = options.nesterov;
    this.native = new native.Optimizer(
      kind,
      this.groups.map((g) => ({
        params: g.params.map((p) => p.handle),
        ...(g.lr !== undefined ? { lr: g.lr } : {}),
        ...(g.weightDecay !== undefined ? { weightDecay: g.weightDecay } : {}),
      })),
      defaults,
    );
  }

  step(): void {
    this.native.step();
  }
  /** Frees gradients (set to none), like `zero_grad(set_to_none=True)`. */
  zeroGrad(): void {
    this.native.zeroGrad();
  }
  getLr(group = 0): number {
    return this.native.getLr(group);
  }
  /** Sets the learning rate of one group, or of all when `group` is omitted. */
  setLr(lr: number, group?: number): void {
    if (group !== undefined) this.native.setLr(group, lr);
    else for (let i = 0; i < this.groups.length; i++) this.native.setLr(i, lr);
  }
  /** Moment estimates, step counts and each group's options as bytes (libtorch's archive format). */
  saveState(): Buffer {
    return this.native.saveState();
  }
  /**
   * Restores what `saveState` saved into an optimizer over the same parameter layout
   * (same groups, same sizes, in order): training then continues bit-identically.
   * Like PyTorch's load_state_dict, each group's lr and other options come from the state.
   */
  loadState(state: Buffer): void {
    this.native.loadState(state);
  }
}

export function adam(params: Tensor[] | ParamGroup[], opts: OptimizerOptions): Optimizer {
  return new Optimizer('adam', params, opts);
}
export function adamw(params: Tensor[] | ParamGroup[], opts: OptimizerOptions): Optimizer {
  return new Optimizer('adamw', params, opts);
}
export function sgd(params: Tensor[] | ParamGroup[], opts: OptimizerOptions): Optimizer {
  return new Optimizer('sgd', params, opts);
}
