// An image in memory before it becomes a tensor: height × width × channels,
// interleaved (HWC), float values in [0, 1]. Decoders, phantoms, the feedback
// app and PNG writing all speak this type; `toTensorBatch` in data/ converts.
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

export function createRaster(width: number, height: number, channels: 1 | 3, fill = 0): Raster {
  const data = new Float32Array(width * height * channels);
  if (fill !== 0) data.fill(fill);
  return { width, height, channels, data };
}

/** Quantises to 8-bit, rounding and clamping (what a PNG stores). */
export function rasterToBytes(r: Raster): Uint8Array {
  const out = new Uint8Array(r.data.length);
  for (let i = 0; i < r.data.length; i++) {
    const v = Math.round(r.data[i]! * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** Grey by ITU-R BT.601 luma, or RGB by repeating the grey channel. */
export function withChannels(r: Raster, channels: 1 | 3): Raster {
  if (r.channels === channels) return r;
  const n = r.width * r.height;
  const out = createRaster(r.width, r.height, channels);
  if (channels === 1) {
    for (let i = 0; i < n; i++) out.data[i] = 0.299 * r.data[3 * i]! + 0.587 * r.data[3 * i + 1]! + 0.114 * r.data[3 * i + 2]!;
  } else {
    for (let i = 0; i < n; i++) out.data[3 * i] = out.data[3 * i + 1] = out.data[3 * i + 2] = r.data[i]!;
  }
  return out;
}
