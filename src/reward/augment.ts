// Label-preserving augmentation on NCHW batches for the reward-side models.
// Blood cells have no orientation (flips and transposes keep the class and the
// verdict); chest X-rays do (the heart is on the patient's left), so they get none.
import { type Generator, type Tensor, rand, tidy, where } from '../engine/index.js';

export type Augmentation = 'none' | 'hflip' | 'dihedral';

export function augmentBatch(x: Tensor, mode: Augmentation, gen: Generator): Tensor {
  if (mode === 'none') return x.clone();
  return tidy(() => {
    const n = x.dim(0);
    const coin = () => rand([n, 1, 1, 1], { generator: gen }).lt(0.5);
    let y = where(coin(), x.flip([3]), x);
    if (mode === 'dihedral') {
      y = where(coin(), y.flip([2]), y);
      if (x.dim(2) === x.dim(3)) y = where(coin(), y.transpose(2, 3), y);
    }
    return y;
  });
}
