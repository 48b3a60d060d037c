// Anti-aliased shapes for the renderers: each shape is a signed distance (pixels,
// negative inside) with a bounding box, turned into per-pixel coverage in [0, 1]
// by a one-pixel soft edge, and composited onto interleaved colour planes.

export interface Shape {
  /** Pixel box that holds every pixel the shape can touch: [x0, y0, x1, y1] inclusive. */
  box: readonly [number, number, number, number];
  /** Signed distance in pixels from (x, y) (pixel centres at integers) to the outline. */
  sd(x: number, y: number): number;
}

function boxAround(cx: number, cy: number, r: number): [number, number, number, number] {
  return [Math.floor(cx - r - 2), Math.floor(cy - r - 2), Math.ceil(cx + r + 2), Math.ceil(cy + r + 2)];
}

export function disc(cx: number, cy: number, r: number): Shape {
  return { box: boxAround(cx, cy, r), sd: (x, y) => Math.hypot(x - cx, y - cy) - r };
}

/** Ellipse with semi-axes a (along `angle`) and b; the distance is approximate (exact for circles). */
export function ellipse(cx: number, cy: number, a: number, b: number, angle = 0): Shape {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const m = Math.min(a, b);
  return {
    box: boxAround(cx, cy, Math.max(a, b)),
    sd: (x, y) => {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * c + dy * s) / a;
      const v = (-dx * s + dy * c) / b;
      return (Math.hypot(u, v) - 1) * m;
    },
  };
}

/** A line segment from (ax, ay) to (bx, by) thickened to radius r. */
export function capsule(ax: number, ay: number, bx: number, by: number, r: number): Shape {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy || 1e-12;
  return {
    box: [Math.floor(Math.min(ax, bx) - r - 2), Math.floor(Math.min(ay, by) - r - 2), Math.ceil(Math.max(ax, bx) + r + 2), Math.ceil(Math.max(ay, by) + r + 2)],
    sd: (x, y) => {
      const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / len2));
      return Math.hypot(x - ax - t * vx, y - ay - t * vy) - r;
    },
  };
}

/**
 * A star-shaped blob: radius R·(1 + Σ a_k cos(kθ + φ_k)) around (cx, cy). Distance is
 * radial (good enough for gentle wobbles). Cell outlines and platelet fragments.
 */
export function radialBlob(cx: number, cy: number, radius: number, harmonics: ReadonlyArray<{ k: number; amp: number; phase: number }>): Shape {
  const maxR = radius * (1 + harmonics.reduce((s, h) => s + Math.abs(h.amp), 0));
  return {
    box: boxAround(cx, cy, maxR),
    sd: (x, y) => {
      const dx = x - cx;
      const dy = y - cy;
      const th = Math.atan2(dy, dx);
      let r = 1;
      for (const h of harmonics) r += h.amp * Math.cos(h.k * th + h.phase);
      return Math.hypot(dx, dy) - radius * r;
    },
  };
}

/** Coverage of a signed distance with a soft edge of `soft` pixels. */
export function coverageOf(sd: number, soft = 1): number {
  const a = 0.5 - sd / soft;
  return a <= 0 ? 0 : a >= 1 ? 1 : a;
}

/** Union (max) of shapes' coverage into `into` (w×h). */
export function addCoverage(into: Float32Array, w: number, h: number, shape: Shape, soft = 1): void {
  const [x0, y0, x1, y1] = shape.box;
  for (let y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) {
    for (let x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
      const a = coverageOf(shape.sd(x, y), soft);
      if (a > into[y * w + x]!) into[y * w + x] = a;
    }
  }
}

/** Coverage map of a union of shapes. */
export function coverage(shapes: ReadonlyArray<Shape>, w: number, h: number, soft = 1): Float32Array {
  const m = new Float32Array(w * h);
  for (const s of shapes) addCoverage(m, w, h, s, soft);
  return m;
}

/** "Over" compositing of a flat colour through a coverage map (times `opacity`) onto interleaved planes. */
export function composite(data: Float32Array, channels: number, cov: Float32Array, colour: ReadonlyArray<number>, opacity = 1): void {
  for (let i = 0; i < cov.length; i++) {
    const a = cov[i]! * opacity;
    if (a <= 0) continue;
    for (let c = 0; c < channels; c++) data[i * channels + c] = data[i * channels + c]! * (1 - a) + colour[c]! * a;
  }
}

/** Paints one shape directly with a flat colour. */
export function paintShape(data: Float32Array, w: number, h: number, channels: number, shape: Shape, colour: ReadonlyArray<number>, opacity = 1, soft = 1): void {
  const [x0, y0, x1, y1] = shape.box;
  for (let y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) {
    for (let x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
      const a = coverageOf(shape.sd(x, y), soft) * opacity;
      if (a <= 0) continue;
      const i = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) data[i + c] = data[i + c]! * (1 - a) + colour[c]! * a;
    }
  }
}
