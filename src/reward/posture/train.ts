// Training CXRL's posture regressor: upright X-rays are warped by random known
// affine poses (F.affineGrid + F.gridSample) and the net regresses the pose it sees.
// A share of each batch is left unwarped, so the identity pose is well learned: that
// is the point the posture reward measures distance from.
import type { Raster } from '../../data/raster.js';
import { type Random, deriveSeed, seededRandom, uniform } from '../../data/random.js';
import { F, adamw, tensor, tidy } from '../../engine/index.js';
import { IDENTITY_POSE, type Pose, PostureRegressor, type PostureRegressorConfig, poseDistance, poseFromVector, poseVector, warpImages } from '../../models/posture-regressor.js';
import { loadVersionedNet, saveVersionedModel, type ModelInfo } from '../model-store.js';
import { rastersToUnitTensor } from '../plausibility/train.js';
import { batchStream, batched, cosineSchedule, rows, splitIndices } from '../tensors.js';

export interface PoseRanges {
  /** Scale range per axis (default [0.85, 1.15]). */
  scale: [number, number];
  /** Largest |t| in normalised coordinates (default 0.12). */
  shift: number;
  /** Largest |θ| in radians (default 0.35 ≈ 20°). */
  rotate: number;
}

export const DEFAULT_POSE_RANGES: PoseRanges = { scale: [0.85, 1.15], shift: 0.12, rotate: 0.35 };

export function samplePose(random: Random, r: PoseRanges = DEFAULT_POSE_RANGES): Pose {
  return {
    sx: uniform(random, r.scale[0], r.scale[1]),
    sy: uniform(random, r.scale[0], r.scale[1]),
    tx: uniform(random, -r.shift, r.shift),
    ty: uniform(random, -r.shift, r.shift),
    theta: uniform(random, -r.rotate, r.rotate),
  };
}

export interface TrainPostureOptions {
  imageSize?: number;
  net?: Partial<Pick<PostureRegressorConfig, 'widths' | 'convsPerStage' | 'groups'>>;
  steps?: number;
  batchSize?: number;
  lr?: number;
  ranges?: PoseRanges;
  /** Share of each batch shown unwarped (default 0.25). */
  identityShare?: number;
  valFraction?: number;
  seed?: number;
  onProgress?: (p: { step: number; steps: number; loss: number }) => void;
}

export interface PostureMetrics {
  /** Held-out mean absolute error per pose component (θ also in degrees). */
  mae: { sx: number; sy: number; tx: number; ty: number; theta: number; thetaDegrees: number };
  /** Held-out mean |predicted − true| of the posture distance the reward uses. */
  distanceMae: number;
  /** Mean predicted distance on unwarped held-out images (ideally ≈ 0). */
  identityDistance: number;
  heldOut: number;
  seconds: number;
}

export interface TrainedPostureRegressor {
  net: PostureRegressor;
  metrics: PostureMetrics;
  options: Record<string, unknown>;
}

export const POSTURE_KIND = 'medloop.posture-regressor';

/** Predicted poses of [N, C, S, S] images in [0, 1]. */
export function predictPoses(net: PostureRegressor, x: ReturnType<typeof rastersToUnitTensor>, batchSize = 128): Pose[] {
  const was = net.training;
  net.eval();
  const flat = batched(x.dim(0), batchSize, (s, len) => tidy(() => net.forward(x.narrow(0, s, len)).toFloat32Array()));
  net.train(was);
  return Array.from({ length: x.dim(0) }, (_, i) => poseFromVector(flat, i * 5));
}

export function trainPostureRegressor(images: ReadonlyArray<Raster>, opts: TrainPostureOptions = {}): TrainedPostureRegressor {
  const t0 = performance.now();
  const size = opts.imageSize ?? Math.min(64, images[0]!.width);
  const seed = opts.seed ?? 0;
  const ranges = opts.ranges ?? DEFAULT_POSE_RANGES;
  const x = rastersToUnitTensor(images, size, 1);
  const [trainIdx, valIdx] = splitIndices(images.length, opts.valFraction ?? 0.2, deriveSeed(seed, 'posture-split'));
  const net = new PostureRegressor({ ...opts.net, inChannels: 1, imageSize: size });
  const steps = opts.steps ?? 600;
  const batchSize = opts.batchSize ?? 32;
  const lrAt = cosineSchedule(opts.lr ?? 2e-3, steps);
  const opt = adamw(net.parameters(), { lr: lrAt(0), weightDecay: 1e-4 });
  const random = seededRandom(deriveSeed(seed, 'posture'));
  const next = batchStream(trainIdx, batchSize, random);
  const idShare = opts.identityShare ?? 0.25;
  let ema = NaN;
  net.train();
  for (let step = 0; step < steps; step++) {
    opt.setLr(lrAt(step));
    const loss = tidy(() => {
      opt.zeroGrad();
      const idx = next();
      const poses = idx.map(() => (random() < idShare ? { ...IDENTITY_POSE } : samplePose(random, ranges)));
      const warped = warpImages(rows(x, idx), poses);
      const target = tensor(Float32Array.from(poses.flatMap(poseVector)), [idx.length, 5]);
      const l = F.mseLoss(net.forward(warped), target);
      l.backward();
      opt.step();
      return l.item();
    });
    ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
    opts.onProgress?.({ step: step + 1, steps, loss: ema });
  }
  net.eval();
  // Held-out: each image once warped by a fixed random pose, once as it is.
  const vr = seededRandom(deriveSeed(seed, 'posture-val'));
  const valPoses = valIdx.map(() => samplePose(vr, ranges));
  const mae = { sx: 0, sy: 0, tx: 0, ty: 0, theta: 0, thetaDegrees: 0 };
  let distanceMae = 0;
  let identityDistance = 0;
  if (valIdx.length) {
    const xv = rows(x, valIdx);
    const warped = warpImages(xv, valPoses);
    const pred = predictPoses(net, warped);
    const predId = predictPoses(net, xv);
    xv.dispose();
    warped.dispose();
    pred.forEach((p, i) => {
      const t = valPoses[i]!;
      mae.sx += Math.abs(p.sx - t.sx);
      mae.sy += Math.abs(p.sy - t.sy);
      mae.tx += Math.abs(p.tx - t.tx);
      mae.ty += Math.abs(p.ty - t.ty);
      mae.theta += Math.abs(p.theta - t.theta);
      distanceMae += Math.abs(poseDistance(p) - poseDistance(t));
    });
    const n = valIdx.length;
    for (const k of ['sx', 'sy', 'tx', 'ty', 'theta'] as const) mae[k] /= n;
    mae.thetaDegrees = (mae.theta * 180) / Math.PI;
    distanceMae /= n;
    identityDistance = predId.reduce((s, p) => s + poseDistance(p), 0) / n;
  }
  x.dispose();
  return {
    net,
    metrics: { mae, distanceMae, identityDistance, heldOut: valIdx.length, seconds: (performance.now() - t0) / 1000 },
    options: { imageSize: size, steps, batchSize, ranges, identityShare: idShare, seed, trainImages: trainIdx.length },
  };
}

export function savePostureRegressor(root: string, trained: TrainedPostureRegressor, source: Record<string, unknown> = {}): { dir: string; info: ModelInfo } {
  return saveVersionedModel(root, { kind: POSTURE_KIND, weights: trained.net.stateDict(), config: trained.net.config, metrics: { ...trained.metrics }, options: trained.options, source });
}

export function loadPostureRegressor(path: string): { net: PostureRegressor; info: ModelInfo } {
  return loadVersionedNet(path, POSTURE_KIND, (config) => new PostureRegressor(config as PostureRegressorConfig));
}
