// Exponential moving average of the weights, used for sampling: shadow ← shadow +
// (1 − decay)(θ − shadow) after every step (lerp_), with the usual warm-up
// decay = min(decay, (1 + n)/(10 + n)) so early averages are not dominated by the init.
import { type Module, type Tensor, noGrad } from '../engine/index.js';

export class EMA {
  readonly shadow = new Map<string, Tensor>();
  updates = 0;

  constructor(
    model: Module,
    readonly decay = 0.999,
  ) {
    noGrad(() => {
      for (const [name, p] of model.stateDict()) {
        const view = p.detach(); // a handle of its own: freed here, not left to the GC
        this.shadow.set(name, view.clone());
        view.dispose();
      }
    });
  }

  currentDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  update(model: Module): void {
    const weight = 1 - this.currentDecay();
    noGrad(() => {
      for (const [name, p] of model.stateDict()) this.shadow.get(name)!.lerp_(p, weight);
    });
    this.updates++;
  }

  /** Copies the averaged weights into `model`. */
  copyTo(model: Module): void {
    model.loadStateDict(this.shadow);
  }

  /** Replaces the averages (resume). */
  load(state: Map<string, Tensor>, updates: number): void {
    noGrad(() => {
      for (const [name, t] of this.shadow) {
        const src = state.get(name);
        if (!src) throw new Error(`EMA state lacks '${name}'`);
        t.copy_(src);
      }
    });
    this.updates = updates;
  }

  dispose(): void {
    for (const t of this.shadow.values()) t.dispose();
    this.shadow.clear();
  }
}

/** Runs `fn` with the EMA weights in `model`, then restores the live weights exactly. */
export function withEmaWeights<T>(model: Module, ema: EMA, fn: () => T): T {
  const saved = new Map<string, Tensor>();
  noGrad(() => {
    for (const [name, p] of model.stateDict()) {
      const view = p.detach();
      saved.set(name, view.clone());
      view.dispose();
    }
  });
  try {
    ema.copyTo(model);
    return fn();
  } finally {
    model.loadStateDict(saved);
    for (const t of saved.values()) t.dispose();
  }
}
