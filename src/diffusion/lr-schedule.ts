// Learning rate as a pure function of the step, so a resumed run needs no schedule state:
// linear warm-up from 0 to `lr` over `warmupSteps`, then cosine decay to `minLr` at `totalSteps`.
export interface CosineScheduleOptions {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor of the decay (default 0.1·lr). */
  minLr?: number;
}

export function cosineWithWarmup(o: CosineScheduleOptions): (step: number) => number {
  const minLr = o.minLr ?? 0.1 * o.lr;
  return (step) => {
    if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
    const span = Math.max(1, o.totalSteps - o.warmupSteps);
    const progress = Math.min(1, Math.max(0, (step - o.warmupSteps) / span));
    return minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}
