// Plain-JS reference implementations for the engine's op tests: dense row-major
// arrays with a shape, written for clarity (loops straight from the definitions),
// not speed. Each follows PyTorch's documented semantics.

export interface Nd {
  data: number[];
  shape: number[];
}

export const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Multi-index of flat position `i`. */
export function unravel(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

export function broadcastShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(Math.max(x, y));
  }
  return out;
}

/** Value of `x` at a multi-index of a (broadcast) output shape. */
function at(x: Nd, idx: number[]): number {
  const off = idx.length - x.shape.length;
  const st = strides(x.shape);
  let p = 0;
  for (let d = 0; d < x.shape.length; d++) p += (x.shape[d] === 1 ? 0 : idx[d + off]!) * st[d]!;
  return x.data[p]!;
}

export function binary(a: Nd, b: Nd | number, f: (x: number, y: number) => number): Nd {
  const bn: Nd = typeof b === 'number' ? { data: [b], shape: [] } : b;
  const shape = broadcastShape(a.shape, bn.shape);
  const data = Array.from({ length: numel(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    return f(at(a, idx), at(bn, idx));
  });
  return { data, shape };
}

export function unary(a: Nd, f: (x: number) => number): Nd {
  return { data: a.data.map(f), shape: a.shape };
}

/** Reduce over `dims` (all when omitted) with a function of the reduced values. */
export function reduce(a: Nd, dims: number[] | undefined, f: (vs: number[]) => number, keepdim = false): Nd {
  const nd = a.shape.length;
  const ds = (dims ?? a.shape.map((_, i) => i)).map((d) => (d < 0 ? d + nd : d));
  const outShapeKeep = a.shape.map((s, i) => (ds.includes(i) ? 1 : s));
  const groups = new Map<number, number[]>();
  const st = strides(outShapeKeep);
  a.data.forEach((v, i) => {
    const idx = unravel(i, a.shape);
    const key = idx.reduce((p, x, d) => p + (ds.includes(d) ? 0 : x * st[d]!), 0);
    const g = groups.get(key);
    if (g) g.push(v);
    else groups.set(key, [v]);
  });
  const data = Array.from({ length: numel(outShapeKeep) }, (_, k) => f(groups.get(k) ?? []));
  return { data, shape: keepdim ? outShapeKeep : a.shape.filter((_, i) => !ds.includes(i)) };
}

export const sum = (vs: number[]) => vs.reduce((a, b) => a + b, 0);
export const mean = (vs: number[]) => sum(vs) / vs.length;
export const variance = (vs: number[], unbiased = true) => {
  const m = mean(vs);
  return sum(vs.map((v) => (v - m) ** 2)) / (vs.length - (unbiased ? 1 : 0));
};

export function matmul2(a: Nd, b: Nd): Nd {
  const [n, k] = a.shape as [number, number];
  const m = b.shape[1]!;
  const data = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let p = 0; p < k; p++) data[i * m + j]! += a.data[i * k + p]! * b.data[p * m + j]!;
  return { data, shape: [n, m] };
}

export function transpose2(a: Nd): Nd {
  const [n, m] = a.shape as [number, number];
  return { data: Array.from({ length: n * m }, (_, i) => a.data[(i % n) * m + Math.floor(i / n)]!), shape: [m, n] };
}

export function softmaxRows(a: Nd): Nd {
  const last = a.shape[a.shape.length - 1]!;
  const data: number[] = [];
  for (let r = 0; r < a.data.length / last; r++) {
    const row = a.data.slice(r * last, (r + 1) * last);
    const mx = Math.max(...row);
    const e = row.map((v) => Math.exp(v - mx));
    const s = sum(e);
    data.push(...e.map((v) => v / s));
  }
  return { data, shape: a.shape };
}

export interface ConvParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** conv2d by its definition: out[n,o,y,x] = b[o] + Σ w[o,c,i,j]·in[n, g·Cg + c, y·s − p + i·d, x·s − p + j·d]. */
export function conv2d(x: Nd, w: Nd, b: number[] | null, p: ConvParams): Nd {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (KH - 1) - 1) / p.stride[0]) + 1;
  const OW = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (KW - 1) - 1) / p.stride[1]) + 1;
  const Og = O / p.groups;
  const out = new Array<number>(N * O * OH * OW).fill(0);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = b ? b[o]! : 0;
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
                const ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += w.data[((o * Cg + c) * KH + i) * KW + j]! * x.data[((n * C + g * Cg + c) * H + iy) * W + ix]!;
              }
          out[((n * O + o) * OH + oy) * OW + ox] = s;
        }
    }
  return { data: out, shape: [N, O, OH, OW] };
}

/** Transposed conv by scattering each input pixel through the kernel (weight: [Cin, Cout/groups, kh, kw]). */
export function convTranspose2d(x: Nd, w: Nd, b: number[] | null, p: ConvParams & { outputPadding: [number, number] }): Nd {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, Og, KH, KW] = w.shape as [number, number, number, number];
  const O = Og * p.groups;
  const Cg = C / p.groups;
  const OH = (H - 1) * p.stride[0] - 2 * p.padding[0] + p.dilation[0] * (KH - 1) + p.outputPadding[0] + 1;
  const OW = (W - 1) * p.stride[1] - 2 * p.padding[1] + p.dilation[1] * (KW - 1) + p.outputPadding[1] + 1;
  const out = new Array<number>(N * O * OH * OW).fill(0);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) for (let i = 0; i < OH * OW; i++) out[(n * O + o) * OH * OW + i] = b ? b[o]! : 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Cg);
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++) {
          const v = x.data[((n * C + c) * H + y) * W + xx]!;
          for (let og = 0; og < Og; og++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const oy = y * p.stride[0] - p.padding[0] + i * p.dilation[0];
                const ox = xx * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                const o = g * Og + og;
                out[((n * O + o) * OH + oy) * OW + ox]! += v * w.data[((c * Og + og) * KH + i) * KW + j]!;
              }
        }
    }
  return { data: out, shape: [N, O, OH, OW] };
}

export function groupNorm(x: Nd, groups: number, weight: number[], bias: number[], eps: number): Nd {
  const [N, C] = x.shape as [number, number];
  const per = numel(x.shape.slice(2));
  const cg = C / groups;
  const out = [...x.data];
  for (let n = 0; n < N; n++)
    for (let g = 0; g < groups; g++) {
      const start = (n * C + g * cg) * per;
      const vs = x.data.slice(start, start + cg * per);
      const m = mean(vs);
      const v = variance(vs, false);
      for (let k = 0; k < cg * per; k++) {
        const c = g * cg + Math.floor(k / per);
        out[start + k] = ((vs[k]! - m) / Math.sqrt(v + eps)) * weight[c]! + bias[c]!;
      }
    }
  return { data: out, shape: x.shape };
}

export function layerNorm(x: Nd, normalized: number, weight: number[], bias: number[], eps: number): Nd {
  const out: number[] = [];
  for (let r = 0; r < x.data.length / normalized; r++) {
    const vs = x.data.slice(r * normalized, (r + 1) * normalized);
    const m = mean(vs);
    const v = variance(vs, false);
    vs.forEach((val, k) => out.push(((val - m) / Math.sqrt(v + eps)) * weight[k]! + bias[k]!));
  }
  return { data: out, shape: x.shape };
}

/** PyTorch 'nearest': source index floor(dst · in / out). */
export function upsampleNearest(x: Nd, oh: number, ow: number): Nd {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        const sy = Math.min(Math.floor((y * H) / oh), H - 1);
        const sx = Math.min(Math.floor((xx * W) / ow), W - 1);
        out.push(x.data[nc * H * W + sy * W + sx]!);
      }
  return { data: out, shape: [N, C, oh, ow] };
}

function sourceCoord(dst: number, inSize: number, outSize: number, alignCorners: boolean): number {
  if (alignCorners) return outSize > 1 ? (dst * (inSize - 1)) / (outSize - 1) : 0;
  return Math.max(0, ((dst + 0.5) * inSize) / outSize - 0.5);
}

export function upsampleBilinear(x: Nd, oh: number, ow: number, alignCorners: boolean): Nd {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        const sy = sourceCoord(y, H, oh, alignCorners);
        const sx = sourceCoord(xx, W, ow, alignCorners);
        const y0 = Math.min(Math.floor(sy), H - 1);
        const x0 = Math.min(Math.floor(sx), W - 1);
        const y1 = Math.min(y0 + 1, H - 1);
        const x1 = Math.min(x0 + 1, W - 1);
        const ly = sy - y0;
        const lx = sx - x0;
        const v = (yy: number, xq: number) => x.data[nc * H * W + yy * W + xq]!;
        out.push((1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1)));
      }
  return { data: out, shape: [N, C, oh, ow] };
}

/** affine_grid: base coordinates of each output pixel in [-1, 1], mapped by θ (N×2×3); output N×H×W×2 (x, y). */
export function affineGrid(theta: Nd, N: number, H: number, W: number, alignCorners: boolean): Nd {
  const lin = (i: number, n: number) => (alignCorners ? (n > 1 ? -1 + (2 * i) / (n - 1) : 0) : ((2 * i + 1) / n - 1));
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const bx = lin(x, W);
        const by = lin(y, H);
        const t = theta.data.slice(n * 6, n * 6 + 6);
        out.push(t[0]! * bx + t[1]! * by + t[2]!, t[3]! * bx + t[4]! * by + t[5]!);
      }
  return { data: out, shape: [N, H, W, 2] };
}

/** grid_sample, bilinear, zero padding: grid (N×Ho×Wo×2) holds (x, y) in [-1, 1]. */
export function gridSampleBilinearZeros(x: Nd, grid: Nd, alignCorners: boolean): Nd {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, Ho, Wo] = grid.shape as [number, number, number, number];
  const unnorm = (g: number, n: number) => (alignCorners ? ((g + 1) / 2) * (n - 1) : ((g + 1) * n - 1) / 2);
  const out = new Array<number>(N * C * Ho * Wo).fill(0);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < Ho * Wo; i++) {
      const gx = unnorm(grid.data[(n * Ho * Wo + i) * 2]!, W);
      const gy = unnorm(grid.data[(n * Ho * Wo + i) * 2 + 1]!, H);
      const x0 = Math.floor(gx);
      const y0 = Math.floor(gy);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (const [yy, wy] of [
          [y0, 1 - (gy - y0)],
          [y0 + 1, gy - y0],
        ] as const)
          for (const [xq, wx] of [
            [x0, 1 - (gx - x0)],
            [x0 + 1, gx - x0],
          ] as const) {
            if (yy < 0 || yy >= H || xq < 0 || xq >= W) continue;
            s += wy * wx * x.data[((n * C + c) * H + yy) * W + xq]!;
          }
        out[(n * C + c) * Ho * Wo + i] = s;
      }
    }
  return { data: out, shape: [N, C, Ho, Wo] };
}

/** Pooling over k×k windows with stride s (no padding). */
export function pool2d(x: Nd, k: number, s: number, f: (vs: number[]) => number): Nd {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const OH = Math.floor((H - k) / s) + 1;
  const OW = Math.floor((W - k) / s) + 1;
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++)
    for (let y = 0; y < OH; y++)
      for (let xx = 0; xx < OW; xx++) {
        const vs: number[] = [];
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) vs.push(x.data[nc * H * W + (y * s + i) * W + xx * s + j]!);
        out.push(f(vs));
      }
  return { data: out, shape: [N, C, OH, OW] };
}

/** A deterministic array of distinct, well-separated values in about [-2, 2] (no ties, no zeros): safe for max, sort, abs. */
export function distinct(n: number, seed = 1): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed * 7919 + 17;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.map((k) => -2 + (4 * (k + 0.5)) / n + 0.1 / n);
}
