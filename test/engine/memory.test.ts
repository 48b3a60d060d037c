// Native memory: scopes free what they should and keep what they return, finalizers
// free dropped tensors, and a long training loop keeps resident memory flat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Conv2d, F, GroupNorm, Module, type Tensor, adam, dispose, keep, liveTensorCount, undisposedTensorCount, nativeHeapStats, randn, setNumThreads, tensor, tidy, trimNativeHeap } from '../../src/engine/index.js';

setNumThreads(1);

// global.gc without --expose-gc on the command line (the test runner starts this file).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('tidy frees what it created and keeps what it returns', () => {
  const before = undisposedTensorCount();
  const kept = tidy(() => {
    const a = randn([3]);
    const b = a.mul(2).add(1);
    b.sum(); // dropped
    return b;
  });
  assert.equal(undisposedTensorCount(), before + 1);
  assert.equal(kept.isDisposed, false);
  kept.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('tidy returning arrays, plain objects, Maps and nested mixes keeps all their tensors', () => {
  const before = undisposedTensorCount();
  const r = tidy(() => {
    const x = randn([2]);
    const junk = x.exp();
    void junk;
    return { list: [x.add(1), x.sub(1)], nested: { m: new Map([['k', x.mul(3)]]) }, n: 5, s: 'text' };
  });
  assert.equal(undisposedTensorCount(), before + 3);
  assert.equal(r.n, 5);
  assert.ok(!r.list[0]!.isDisposed && !r.nested.m.get('k')!.isDisposed);
  dispose(r);
  assert.equal(undisposedTensorCount(), before);
});

test('nested tidy: an inner result survives into the outer scope and is freed there', () => {
  const before = undisposedTensorCount();
  let inner: Tensor | undefined;
  const outer = tidy(() => {
    const a = randn([2]);
    inner = tidy(() => a.mul(2).add(a)); // a belongs to the outer scope
    assert.equal(a.isDisposed, false, 'the inner scope does not free the outer one’s tensors');
    return inner.sum();
  });
  assert.equal(inner!.isDisposed, true, 'the outer scope freed the inner result it did not return');
  assert.equal(undisposedTensorCount(), before + 1);
  outer.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('a tidy that throws frees its tensors and rethrows; scopes stay balanced', () => {
  const before = undisposedTensorCount();
  assert.throws(
    () =>
      tidy(() => {
        randn([4]).mul(2);
        tidy(() => {
          randn([2]);
          throw new Error('inner failure');
        });
      }),
    /inner failure/,
  );
  assert.equal(undisposedTensorCount(), before);
  // Scopes are balanced: a tensor made now belongs to no scope and survives.
  const t = randn([1]);
  tidy(() => void randn([1]));
  assert.equal(t.isDisposed, false);
  t.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('keep() rescues a tensor from every open scope; tidy rejects async functions without leaking', () => {
  const before = undisposedTensorCount();
  let saved: Tensor | undefined;
  tidy(() =>
    tidy(() => {
      saved = keep(randn([2]));
      randn([2]);
    }),
  );
  assert.equal(saved!.isDisposed, false);
  assert.equal(undisposedTensorCount(), before + 1);
  saved!.dispose();
  assert.throws(() => tidy((async () => randn([1])) as never), /synchronous/);
  assert.equal(undisposedTensorCount(), before);
});

test('module parameters survive the tidy they were built in; gradients read inside a tidy are freed', () => {
  const before = undisposedTensorCount();
  const conv = tidy(() => new Conv2d(1, 2, 3));
  assert.equal(conv.weight.isDisposed, false);
  tidy(() => {
    F.conv2d(randn([1, 1, 4, 4]), conv.weight, conv.bias).sum().backward();
    assert.ok(conv.weight.grad !== null);
  });
  assert.equal(undisposedTensorCount(), before + 2);
  conv.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('finalizers free tensors dropped without dispose once V8 collects them; the leak count still sees them', async () => {
  const settle = async (): Promise<void> => {
    gc();
    await new Promise((r) => setImmediate(r));
  };
  await settle(); // earlier tests' garbage goes first, so only this test's drops move the live count
  const before = liveTensorCount();
  const undisposedBefore = undisposedTensorCount();
  (() => {
    for (let i = 0; i < 500; i++) randn([256]).mul(2);
  })();
  assert.equal(liveTensorCount(), before + 1000);
  for (let i = 0; i < 10 && liveTensorCount() > before; i++) await settle();
  assert.equal(liveTensorCount(), before, 'dropped tensors were not finalized');
  // Collected is not disposed: the leak check keeps counting them, whenever V8 ran.
  assert.equal(undisposedTensorCount(), undisposedBefore + 1000);
  const t = randn([4]);
  assert.equal(undisposedTensorCount(), undisposedBefore + 1001);
  t.dispose();
  t.dispose(); // a second dispose changes nothing
  assert.equal(undisposedTensorCount(), undisposedBefore + 1000);
});

class TinyNet extends Module {
  readonly c1 = this.child('c1', new Conv2d(1, 8, 3, { padding: 1 }));
  readonly n1 = this.child('n1', new GroupNorm(2, 8));
  readonly c2 = this.child('c2', new Conv2d(8, 8, 3, { padding: 1, stride: 2 }));
  readonly c3 = this.child('c3', new Conv2d(8, 1, 3, { padding: 1 }));
  forward(x: Tensor): Tensor {
    const h = this.n1.forward(this.c1.forward(x)).silu();
    const d = this.c2.forward(h).silu();
    return this.c3.forward(F.interpolate(d, [x.dim(2), x.dim(3)], 'nearest').add(h.mean(1, true)));
  }
}

test('2,000 training steps of a small conv net keep resident memory flat', () => {
  const before = undisposedTensorCount();
  const net = new TinyNet();
  const opt = adam(net.parameters(), { lr: 1e-3 });
  const x = randn([4, 1, 12, 12]);
  const y = tidy(() => x.flip([3]).mul(0.5));
  const step = () =>
    tidy(() => {
      opt.zeroGrad();
      const loss = F.mseLoss(net.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
  const first = step();
  for (let i = 1; i < 200; i++) step(); // warm-up: allocator pools, optimizer state, JIT
  // The loop never yields to the event loop, like a training loop in a worker: what the
  // GC finds must be freed by the GC itself, not by callbacks queued for later.
  gc();
  const rssWarm = process.memoryUsage().rss;
  const heapWarm = nativeHeapStats().inUse;
  const liveWarm = undisposedTensorCount();
  let last = first;
  for (let i = 200; i < 2000; i++) last = step();
  gc();
  const rssEnd = process.memoryUsage().rss;
  const heapEnd = nativeHeapStats().inUse;
  const mb = (b: number) => b / 2 ** 20;
  const growthMb = mb(rssEnd - rssWarm);
  const heapGrowthMb = heapWarm !== undefined && heapEnd !== undefined ? mb(heapEnd - heapWarm) : 0;
  trimNativeHeap();
  console.log(
    `# rss after warm-up ${mb(rssWarm).toFixed(1)} MB, after 2000 steps ${mb(rssEnd).toFixed(1)} MB: growth ${growthMb.toFixed(2)} MB ` +
      `(C heap in use ${heapGrowthMb >= 0 ? '+' : ''}${heapGrowthMb.toFixed(3)} MB; rss after malloc_trim ${mb(process.memoryUsage().rss).toFixed(1)} MB)`,
  );
  assert.equal(undisposedTensorCount(), liveWarm, 'tensors leaked across steps');
  assert.ok(growthMb < 50, `resident memory grew ${growthMb.toFixed(1)} MB over 1,800 steps`);
  // ~60 tensors a step: even 20 bytes each left behind would show here.
  assert.ok(heapGrowthMb < 2, `the C heap's live allocations grew ${heapGrowthMb.toFixed(2)} MB over 1,800 steps`);
  assert.ok(last < first, `the net trained (loss ${first} -> ${last})`);
  net.dispose();
  dispose([x, y]);
  assert.equal(undisposedTensorCount(), before);
});

test('tensor creation from large typed arrays does not hold on to JS memory', () => {
  const before = undisposedTensorCount();
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 50; i++) tidy(() => tensor(new Float32Array(1 << 20), [1 << 20]).sum().item()); // 4 MB each
  gc();
  const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(grown < 60, `rss grew ${grown.toFixed(1)} MB after 200 MB of short-lived tensors`);
  assert.equal(undisposedTensorCount(), before);
});
