// Colour-shifted real images as implausible examples for the plausibility reward model.
//
// Why: stain colour is a checklist criterion (cytoplasm colour), yet the only negatives
// of Sun et al. are real images under a wrong class, which teach class identity. DDPO
// then moved a class's colour past anything real: on the phantom demo (seed 1), the
// platelets' cytoplasm-colour failures rose from 12 to 32 of 64 while the reward
// ensemble ranked those samples below chance (AUROC 0.40). A real cell with its true
// class but its hue rotated or its saturation scaled far outside the staining's range
// is implausible for that criterion, and says so to the model at no rating cost.
import type { Raster } from '../../data/raster.js';
import { deriveSeed, seededRandom } from '../../data/random.js';
import type { RatedImage, RealImage } from './dataset.js';

/** How far a shift goes: hue rotations of ±[min, max] degrees, or saturation × low / × high. */
export interface ColourShiftRange {
  hueDegrees: [number, number];
  saturation: [number, number];
  /** Share of shifts that rotate hue (the rest scale saturation). */
  hueShare: number;
}

export const DEFAULT_COLOUR_SHIFT: ColourShiftRange = { hueDegrees: [40, 120], saturation: [0.3, 2.2], hueShare: 0.6 };

/** Rotates every pixel's colour about the grey axis by `degrees` (Rodrigues): grey levels and their mean stay put. */
export function rotateHue(image: Raster, degrees: number): Raster {
  requireRgb(image);
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sqrt(1 / 3) * Math.sin(a);
  const k = (1 - c) / 3;
  const m = [c + k, k - s, k + s, k + s, c + k, k - s, k - s, k + s, c + k];
  return mapPixels(image, (r, g, b) => [m[0]! * r + m[1]! * g + m[2]! * b, m[3]! * r + m[4]! * g + m[5]! * b, m[6]! * r + m[7]! * g + m[8]! * b]);
}

/** Scales every pixel's distance from its own grey level by `factor` (0: greyscale, 1: unchanged). */
export function scaleSaturation(image: Raster, factor: number): Raster {
  requireRgb(image);
  return mapPixels(image, (r, g, b) => {
    const grey = (r + g + b) / 3;
    return [grey + (r - grey) * factor, grey + (g - grey) * factor, grey + (b - grey) * factor];
  });
}

/**
 * `count` real images (drawn with replacement, seeded), each colour-shifted and labelled
 * implausible for its true condition, with `criterion` (the checklist's colour criterion,
 * if it has one) marked as failed. They are `synthetic`: trained on, never scored as ratings.
 */
export function colourNegatives(real: ReadonlyArray<RealImage>, count: number, opts: { seed: number; criterion?: string; range?: ColourShiftRange }): RatedImage[] {
  const rgb = real.filter((r) => r.image.channels === 3);
  if (count === 0 || rgb.length === 0) return [];
  const range = opts.range ?? DEFAULT_COLOUR_SHIFT;
  const random = seededRandom(deriveSeed(opts.seed, 'colour-negatives'));
  const between = ([lo, hi]: [number, number]) => lo + random() * (hi - lo);
  return Array.from({ length: count }, (_, i) => {
    const source = rgb[Math.floor(random() * rgb.length)]!;
    const image =
      random() < range.hueShare
        ? rotateHue(source.image, between(range.hueDegrees) * (random() < 0.5 ? -1 : 1))
        : scaleSaturation(source.image, random() < 0.5 ? range.saturation[0] : range.saturation[1]);
    return { id: `colour-negative-${i}`, image, condition: source.condition, label: 0, criteria: opts.criterion ? { [opts.criterion]: 1 } : {}, raters: 0, synthetic: true };
  });
}

function requireRgb(image: Raster): void {
  if (image.channels !== 3) throw new RangeError(`colour shift needs an RGB image (got ${image.channels} channel)`);
}

function mapPixels(image: Raster, f: (r: number, g: number, b: number) => [number, number, number]): Raster {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < image.data.length; i += 3) {
    const v = f(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!);
    for (let j = 0; j < 3; j++) out[i + j] = Math.min(1, Math.max(0, v[j]!));
  }
  return { ...image, data: out };
}

/** The checklist's colour criterion (e.g. `cytoplasm_colour`), if it has one: what a colour-shifted image fails. */
export function colourCriterion(criteria: Iterable<string>): string | undefined {
  return [...criteria].find((c) => /colou?r/i.test(c));
}
