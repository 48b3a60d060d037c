// What a diffusion network outputs. A leaf module (no engine import), so the workspace
// config can validate the choice without loading the native binding.
/** ε (Ho et al.) or v = √ᾱ ε − √(1−ᾱ) x_0 (Salimans & Ho 2022). */
export const PREDICTIONS = ['epsilon', 'v'] as const;
export type Prediction = (typeof PREDICTIONS)[number];
