// CXRL's posture estimator (Han et al. 2024): a CNN that reads the affine pose
// ψ = (s_x, s_y, t_x, t_y, θ) of a chest X-ray relative to a canonical, upright,
// centred view. It outputs (log s_x, log s_y, t_x, t_y, θ) so that the identity
// pose is the zero vector; translations are in normalised image coordinates
// ([-1, 1] spans the image), θ in radians. The pose convention matches `poseToGrid`:
// content is scaled by S, rotated by θ, then shifted by t.
import { F, Linear, Module, type Tensor, cat, linspace, noGrad, tensor, tidy } from '../engine/index.js';
import { type BackboneConfig, ConvBackbone } from './reward-net-backbone.js';

export interface Pose {
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  theta: number;
}

export const IDENTITY_POSE: Readonly<Pose> = { sx: 1, sy: 1, tx: 0, ty: 0, theta: 0 };

export interface PostureRegressorConfig {
  inChannels: 1 | 3;
  imageSize: number;
  widths: number[];
  convsPerStage: number;
  groups: number;
}

export const DEFAULT_POSTURE_CONFIG: Omit<PostureRegressorConfig, 'inChannels' | 'imageSize'> = { widths: [16, 32, 64], convsPerStage: 1, groups: 8 };

export class PostureRegressor extends Module {
  readonly config: PostureRegressorConfig;
  readonly backbone: ConvBackbone;
  readonly head: Linear;
  constructor(config: Pick<PostureRegressorConfig, 'inChannels' | 'imageSize'> & Partial<PostureRegressorConfig>) {
    super();
    this.config = { ...DEFAULT_POSTURE_CONFIG, ...config };
    // Two coordinate channels (CoordConv, Liu et al. 2018): pooled conv features are
    // translation-invariant, so without them the net could not tell where the chest is.
    const bb: BackboneConfig = { inChannels: this.config.inChannels + 2, widths: this.config.widths, convsPerStage: this.config.convsPerStage, groups: this.config.groups, filmDim: 0 };
    this.backbone = this.child('backbone', new ConvBackbone(bb));
    this.head = this.child('head', new Linear(this.backbone.featureDim, 5));
    noGrad(() => {
      this.head.weight.mul_(0.1);
      this.head.bias!.zero_();
    });
  }
  /** [N, 5] = (log s_x, log s_y, t_x, t_y, θ) of images [N, C, H, W] in [0, 1]. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const [n, , h, w] = x.shape as [number, number, number, number];
      // Coordinates in [0, 1] (the backbone maps its input to [-1, 1]).
      const ys = linspace(0, 1, h).reshape([1, 1, h, 1]).expand([n, 1, h, w]);
      const xs = linspace(0, 1, w).reshape([1, 1, 1, w]).expand([n, 1, h, w]);
      return this.head.forward(this.backbone.forward(cat([x, xs, ys], 1)));
    });
  }
}

/** The regressor's target vector for a pose: (log s_x, log s_y, t_x, t_y, θ). */
export function poseVector(p: Pose): [number, number, number, number, number] {
  return [Math.log(p.sx), Math.log(p.sy), p.tx, p.ty, p.theta];
}

export function poseFromVector(v: ArrayLike<number>, offset = 0): Pose {
  return { sx: Math.exp(v[offset]!), sy: Math.exp(v[offset + 1]!), tx: v[offset + 2]!, ty: v[offset + 3]!, theta: v[offset + 4]! };
}

/** CXRL's posture distance ‖ψ − identity‖₂ over (s_x, s_y, t_x, t_y, θ). */
export function poseDistance(p: Pose): number {
  return Math.hypot(p.sx - 1, p.sy - 1, p.tx, p.ty, p.theta);
}

/**
 * The 2×3 sampling matrix (output → input coordinates, as F.affineGrid wants) of the
 * warp that scales content by S, rotates it by θ and shifts it by t: the inverse of
 * p ↦ R S p + t, i.e. p_in = S⁻¹ Rᵀ (p_out − t).
 */
export function poseToSamplingMatrix(p: Pose): number[] {
  const c = Math.cos(p.theta);
  const s = Math.sin(p.theta);
  const a = [c / p.sx, s / p.sx, -s / p.sy, c / p.sy];
  return [a[0]!, a[1]!, -(a[0]! * p.tx + a[1]! * p.ty), a[2]!, a[3]!, -(a[2]! * p.tx + a[3]! * p.ty)];
}

/** Warps images [N, C, H, W] by one pose each (bilinear, zeros outside: a shifted film leaves black borders). */
export function warpImages(x: Tensor, poses: ReadonlyArray<Pose>): Tensor {
  if (poses.length !== x.dim(0)) throw new RangeError(`warpImages: ${poses.length} poses for ${x.dim(0)} images`);
  return tidy(() => {
    const theta = tensor(Float32Array.from(poses.flatMap(poseToSamplingMatrix)), [poses.length, 2, 3]);
    const grid = F.affineGrid(theta, x.shape, false);
    return F.gridSample(x, grid, 'bilinear', 'zeros', false);
  });
}
