// Binary-mask and level-set tools the oracles measure with: connected components,
// morphology, hole filling, convex hull, Otsu's threshold and peak counting by
// topological persistence (how many separate "hills" a density map has, e.g. the
// lobes of a nucleus joined by thin filaments). Masks are Uint8Array (0/1), w×h.

export interface Component {
  /** Label in the label image (1-based). */
  label: number;
  area: number;
  /** Centroid (pixel centres at integers). */
  cx: number;
  cy: number;
  touchesBorder: boolean;
}

export interface Components {
  /** 0 = background, else the component's label. */
  labels: Int32Array;
  components: Component[];
}

/** Connected components of a mask (8-connected by default), in scan order. */
export function labelComponents(mask: Uint8Array, w: number, h: number, connectivity: 4 | 8 = 8): Components {
  const labels = new Int32Array(w * h);
  const components: Component[] = [];
  const stack = new Int32Array(w * h);
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let area = 0;
    let sx = 0;
    let sy = 0;
    let border = false;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % w;
      const y = (p - x) / w;
      area++;
      sx += x;
      sy += y;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (mask[q] && !labels[q]) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    components.push({ label, area, cx: sx / area, cy: sy / area, touchesBorder: border });
  }
  return { labels, components };
}

/** The mask of one component. */
export function componentMask(labels: Int32Array, label: number): Uint8Array {
  const m = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) m[i] = labels[i] === label ? 1 : 0;
  return m;
}

function discOffsets(radius: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const r = Math.ceil(radius);
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= radius * radius + 1e-9) out.push([dx, dy]);
  return out;
}

/** Erosion by a disc of the given radius (outside the image counts as background). */
export function erode(mask: Uint8Array, w: number, h: number, radius: number): Uint8Array {
  const offs = discOffsets(radius);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      let keep = 1;
      for (const [dx, dy] of offs) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h || !mask[yy * w + xx]) {
          keep = 0;
          break;
        }
      }
      out[y * w + x] = keep;
    }
  }
  return out;
}

/** Dilation by a disc of the given radius. */
export function dilate(mask: Uint8Array, w: number, h: number, radius: number): Uint8Array {
  const offs = discOffsets(radius);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      for (const [dx, dy] of offs) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < w && yy < h) out[yy * w + xx] = 1;
      }
    }
  }
  return out;
}

/** Sets every background pixel not 4-connected to the border (the mask's holes). */
export function fillHoles(mask: Uint8Array, w: number, h: number): Uint8Array {
  const outside = new Uint8Array(w * h);
  const stack: number[] = [];
  const push = (p: number): void => {
    if (!mask[p] && !outside[p]) {
      outside[p] = 1;
      stack.push(p);
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % w;
    const y = (p - x) / w;
    if (x > 0) push(p - 1);
    if (x < w - 1) push(p + 1);
    if (y > 0) push(p - w);
    if (y < h - 1) push(p + w);
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}

export function maskArea(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

/** Area of the convex hull of the mask's pixel squares (monotone chain over pixel corners). */
export function convexHullArea(mask: Uint8Array, w: number, h: number): number {
  // Per row only the extreme corners can be on the hull.
  const pts: Array<[number, number]> = [];
  for (let y = 0; y < h; y++) {
    let lo = -1;
    let hi = -1;
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) {
        if (lo < 0) lo = x;
        hi = x;
      }
    }
    if (lo < 0) continue;
    pts.push([lo, y], [lo, y + 1], [hi + 1, y], [hi + 1, y + 1]);
  }
  if (pts.length < 3) return 0;
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Array<[number, number]> = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Array<[number, number]> = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  let a = 0;
  for (let i = 0; i < hull.length; i++) {
    const p = hull[i]!;
    const q = hull[(i + 1) % hull.length]!;
    a += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(a) / 2;
}

/** Otsu's threshold over values (histogram of `bins` between their min and max). */
export function otsuThreshold(values: ArrayLike<number>, bins = 64): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return lo;
  const hist = new Float64Array(bins);
  const scale = (bins - 1e-9) / (hi - lo);
  for (let i = 0; i < values.length; i++) hist[Math.floor((values[i]! - lo) * scale)]!++;
  const total = values.length;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b]!;
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestB = 0;
  for (let b = 0; b < bins; b++) {
    wB += hist[b]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += b * hist[b]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return lo + (bestB + 1) / scale;
}

export interface Peak {
  /** Pixel index of the maximum. */
  index: number;
  height: number;
  /** Height above the saddle where it merges into a higher peak (Infinity for the highest). */
  prominence: number;
  /** Pixels in its basin when it merged (or in all, for the highest). */
  area: number;
}

/**
 * Peaks of `values` inside `mask` (8-connected), by persistence of superlevel sets:
 * pixels are added from the highest down; when two regions meet, the one with the
 * lower maximum dies with prominence = its maximum − the current level. Returns the
 * peaks with prominence ≥ minProminence and basin area ≥ minArea, highest first.
 */
export function prominentPeaks(values: Float32Array, mask: Uint8Array, w: number, h: number, minProminence: number, minArea = 1): Peak[] {
  const idx: number[] = [];
  for (let i = 0; i < w * h; i++) if (mask[i]) idx.push(i);
  idx.sort((a, b) => values[b]! - values[a]!);
  const parent = new Int32Array(w * h).fill(-1);
  const peakOf = new Int32Array(w * h);
  const size = new Int32Array(w * h);
  const find = (p: number): number => {
    while (parent[p] !== p) {
      parent[p] = parent[parent[p]!]!;
      p = parent[p]!;
    }
    return p;
  };
  const dead: Peak[] = [];
  for (const p of idx) {
    parent[p] = p;
    peakOf[p] = p;
    size[p] = 1;
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if ((dx === 0 && dy === 0) || xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (parent[q] < 0) continue;
        const a = find(p);
        const b = find(q);
        if (a === b) continue;
        // The region with the lower peak dies here.
        const pa = peakOf[a]!;
        const pb = peakOf[b]!;
        const [lowRoot, highRoot] = values[pa]! < values[pb]! ? [a, b] : [b, a];
        const lowPeak = peakOf[lowRoot]!;
        dead.push({ index: lowPeak, height: values[lowPeak]!, prominence: values[lowPeak]! - values[p]!, area: size[lowRoot]! });
        parent[lowRoot] = highRoot;
        size[highRoot]! += size[lowRoot]!;
      }
    }
  }
  const roots = new Set<number>();
  for (const p of idx) roots.add(find(p));
  const alive: Peak[] = [...roots].map((r) => ({ index: peakOf[r]!, height: values[peakOf[r]!]!, prominence: Infinity, area: size[r]! }));
  return alive
    .concat(dead)
    .filter((pk) => pk.prominence >= minProminence && pk.area >= minArea)
    .sort((a, b) => b.height - a.height);
}
