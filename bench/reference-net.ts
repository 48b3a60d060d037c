// The reference mini-UNet of the engine benchmark (issue: foundation §7), written
// once here so the benchmark and the tests train the very same net.
import { Conv2d, F, Module, type Tensor, cat } from '../src/engine/index.js';

export class ReferenceNet extends Module {
  readonly c1 = this.child('c1', new Conv2d(1, 32, 3, { padding: 1 }));
  readonly c2 = this.child('c2', new Conv2d(32, 32, 3, { padding: 1 }));
  readonly d1 = this.child('d1', new Conv2d(32, 64, 3, { padding: 1, stride: 2 }));
  readonly c3 = this.child('c3', new Conv2d(64, 64, 3, { padding: 1 }));
  readonly d2 = this.child('d2', new Conv2d(64, 64, 3, { padding: 1, stride: 2 }));
  readonly c4 = this.child('c4', new Conv2d(64, 64, 3, { padding: 1 }));
  readonly u1 = this.child('u1', new Conv2d(128, 64, 3, { padding: 1 }));
  readonly u2 = this.child('u2', new Conv2d(96, 32, 3, { padding: 1 }));
  readonly out = this.child('out', new Conv2d(32, 1, 3, { padding: 1 }));

  forward(x: Tensor): Tensor {
    const h1 = this.c1.forward(x).silu();
    const h2 = this.c2.forward(h1).silu();
    const h3 = this.c3.forward(this.d1.forward(h2).silu()).silu();
    const h4 = this.c4.forward(this.d2.forward(h3).silu()).silu();
    const up1 = F.interpolate(h4, [h3.dim(2), h3.dim(3)], 'nearest');
    const g1 = this.u1.forward(cat([up1, h3], 1)).silu();
    const up2 = F.interpolate(g1, [h2.dim(2), h2.dim(3)], 'nearest');
    const g2 = this.u2.forward(cat([up2, h2], 1)).silu();
    return this.out.forward(g2);
  }
}
