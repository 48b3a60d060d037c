// Feature extractors: any function from an image batch to feature vectors. The
// metrics take feature matrices, so an ONNX network or a radiology backbone can
// replace the domain classifier without touching them.
import { F, type Tensor, cat, noGrad, tensor, tidy } from '../engine/index.js';
import type { CnnClassifier } from '../models/classifier.js';
import { rastersToNCHW } from '../data/nchw.js';
import type { Raster } from '../data/raster.js';

/**
 * Images [N, C, H, W] with values in [0, 1] → features [N, D] (float32). An
 * extractor handles its own batching, resizing and channel conversion, runs
 * without recording gradients, and returns a tensor the caller owns.
 */
export type FeatureExtractor = (images: Tensor) => Tensor;

export interface ClassifierExtractorOptions {
  /** Images per forward pass (bounds memory). */
  batchSize?: number;
}

/** Resizes NCHW to size × size: exact area averaging for integer factors, bilinear otherwise. */
export function resizeBatch(x: Tensor, size: number): Tensor {
  const h = x.dim(2);
  const w = x.dim(3);
  if (h === size && w === size) return x.clone();
  if (h === w && h % size === 0) return F.avgPool2d(x, h / size, h / size);
  return F.interpolate(x, [size, size], 'bilinear');
}

/** Converts NCHW between 1 and 3 channels (grey repeated; RGB by BT.601 luma, as data/raster does). */
export function matchChannels(x: Tensor, channels: number): Tensor {
  const c = x.dim(1);
  if (c === channels) return x.clone();
  if (c === 1 && channels === 3) return x.repeat([1, 3, 1, 1]);
  if (c === 3 && channels === 1) return tidy(() => x.mul(tensor([0.299, 0.587, 0.114], [1, 3, 1, 1])).sum(1, true));
  throw new RangeError(`cannot convert ${c}-channel images to ${channels} channels`);
}

/** The classifier's pooled features, computed at its training size and channel count. */
export function classifierFeatureExtractor(net: CnnClassifier, opts: ClassifierExtractorOptions = {}): FeatureExtractor {
  const batch = opts.batchSize ?? 256;
  return (images: Tensor) =>
    noGrad(() => {
      const wasTraining = net.training;
      net.eval();
      try {
        const n = images.dim(0);
        const parts: Tensor[] = [];
        for (let s = 0; s < n; s += batch) {
          parts.push(
            tidy(() => {
              const x = matchChannels(resizeBatch(images.narrow(0, s, Math.min(batch, n - s)).to('float32'), net.config.imageSize), net.config.inChannels);
              return net.features(x);
            }),
          );
        }
        if (parts.length === 1) return parts[0]!;
        const out = cat(parts, 0);
        for (const p of parts) p.dispose();
        return out;
      } finally {
        net.train(wasTraining);
      }
    });
}

/** Rasters (HWC, [0, 1], all one size) → NCHW tensor in [0, 1]. */
export function rastersToTensor(rasters: ReadonlyArray<Raster>, channels: 1 | 3): Tensor {
  const { data, shape } = rastersToNCHW(rasters, { channels, range: [0, 1] });
  return tensor(data, shape);
}

/** The classifier's class logits from its own pooled features (pairs with classifierFeatureExtractor). */
export function classifierFeatureHead(net: CnnClassifier): (features: Tensor) => Tensor {
  return (features: Tensor) =>
    noGrad(() => {
      const wasTraining = net.training;
      net.eval(); // no dropout: a judge must give one verdict per image
      try {
        return net.logitsFromFeatures(features);
      } finally {
        net.train(wasTraining);
      }
    });
}
