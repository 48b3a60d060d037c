import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, adam, undisposedTensorCount, randn, tensor, tidy } from '../../src/engine/index.js';
import { ReferenceNet } from '../../bench/reference-net.js';

test('the reference net trains: loss falls on a fixed batch', () => {
  const before = undisposedTensorCount();
  const net = new ReferenceNet();
  const opt = adam(net.parameters(), { lr: 1e-3 });
  const x = randn([4, 1, 16, 16]);
  const y = tidy(() => x.mul(0.5).add(0.1));
  const losses: number[] = [];
  for (let i = 0; i < 30; i++) {
    losses.push(
      tidy(() => {
        opt.zeroGrad();
        const loss = F.mseLoss(net.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  assert.ok(losses[29]! < losses[0]! * 0.7, `loss ${losses[0]} -> ${losses[29]}`);
  net.dispose();
  x.dispose();
  y.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('tensor round trip keeps values and shape', () => {
  const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(Array.from(t.toFloat32Array()), [1, 2, 3, 4, 5, 6]);
  t.dispose();
});
