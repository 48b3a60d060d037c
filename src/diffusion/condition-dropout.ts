// Classifier-free guidance training (Ho & Salimans): each condition is replaced by
// the NULL condition with probability p (0.1), drawn from a seeded generator so a
// resumed run drops the same ones.
import { type Generator, rand, tidy } from '../engine/index.js';

export function dropConditions<C>(conditions: ReadonlyArray<C>, p: number, generator?: Generator): (C | null)[] {
  if (p <= 0) return [...conditions];
  const u = tidy(() => rand([conditions.length], generator ? { generator } : {}).toNumbers());
  return conditions.map((c, i) => (u[i]! < p ? null : c));
}
