// Module: a tree of named parameters, buffers and child modules, with
// train/eval mode and state dicts keyed by dotted paths ("down.0.conv.weight").
import { keep } from './scope.js';
import type { Tensor } from './tensor.js';
import { noGrad } from './grad-mode.js';

export class StateDictError extends Error {
  override name = 'StateDictError';
}

export abstract class Module {
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  training = true;

  /** Registers a trainable tensor (requires_grad set, kept out of any tidy scope). */
  protected param(name: string, t: Tensor): Tensor {
    keep(t);
    t.requiresGrad_(true);
    this.params.set(name, t);
    return t;
  }
  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.buffers.set(name, t);
    return t;
  }
  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  *namedParameters(prefix = ''): Generator<[string, Tensor]> {
    for (const [n, p] of this.params) yield [prefix + n, p];
    for (const [n, c] of this.children) yield* c.namedParameters(`${prefix}${n}.`);
  }
  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [n, b] of this.buffers) yield [prefix + n, b];
    for (const [n, c] of this.children) yield* c.namedBuffers(`${prefix}${n}.`);
  }
  *modules(): Generator<Module> {
    yield this;
    for (const c of this.children.values()) yield* c.modules();
  }
  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Freezes or unfreezes every parameter (the RLCF anchor is frozen). */
  requiresGrad_(on: boolean): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }
  zeroGrad(): void {
    for (const p of this.parameters()) p.clearGrad();
  }

  /** Parameters and buffers by dotted name. The tensors are the module's own: don't dispose them. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /** Copies values in place; every key must match in name and shape unless `strict` is false. */
  loadStateDict(state: Map<string, Tensor>, strict = true): void {
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !state.has(k));
      const unexpected = [...state.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        throw new StateDictError(`state dict mismatch: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
      }
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const src = state.get(k);
        if (!src) continue;
        if (src.shape.join(',') !== t.shape.join(',')) {
          throw new StateDictError(`state dict: '${k}' has shape [${src.shape}] but the module expects [${t.shape}]`);
        }
        t.copy_(src);
      }
    });
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const [, t] of this.stateDict()) t.dispose();
  }
}
