// Checkpoint I/O: safetensors files round-trip bit-exact and follow the format's
// rules (checked by an independent reader below); damaged or foreign files fail with
// the file's name; checkpoint folders survive a crash mid-write; module state dicts
// load with clear errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import {
  CheckpointError,
  Conv2d,
  Linear,
  Module,
  StateDictError,
  type Tensor,
  checkpointDir,
  dispose,
  listCheckpoints,
  undisposedTensorCount,
  loadCheckpoint,
  loadSafetensors,
  randn,
  saveCheckpoint,
  saveSafetensors,
  seedInit,
  setNumThreads,
  tensor,
  tidy,
} from '../../src/engine/index.js';

setNumThreads(1);

const root = mkdtempSync(join(tmpdir(), 'medloop-ckpt-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const file = (name = 'x.safetensors') => join(root, `${n++}-${name}`);

/** Every dtype the format and the engine share, with edge values. */
function sampleTensors(): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ['f32', tensor(new Float32Array([0, -0, 1.5, -3.25e-39, 3.4028234663852886e38, Infinity, -Infinity, NaN]), [2, 4])],
    ['f64', tensor(new Float64Array([Math.PI, -1e-310, Number.MAX_VALUE, NaN]), [4])],
    ['i64', tensor(new BigInt64Array([0n, -1n, 9223372036854775807n, -9223372036854775808n]), [2, 2])],
    ['i32', tensor(new Int32Array([2147483647, -2147483648, 7]), [3])],
    ['u8', tensor(new Uint8Array([0, 1, 127, 128, 255]), [5])],
    ['bool', tensor(new Uint8Array([1, 0, 0, 1, 1, 1]), [2, 3], { dtype: 'bool' })],
    ['f16', tensor([1, -2.5, 65504, 6.103515625e-5, 5.960464477539063e-8, 0, -0], [7], { dtype: 'float16' })],
    ['bf16', tensor([1, -2.5, 3.3895313892515355e38, 1.1754943508222875e-38], [4], { dtype: 'bfloat16' })],
    ['scalar', tensor([42], [], { dtype: 'float64' })],
    ['empty', tensor([], [0, 3])],
    ['nested.name/with:punctuation é', tensor([1, 2], [2])],
  ]);
}

const bits = (t: Tensor) => Buffer.from(t.toArray().buffer, t.toArray().byteOffset, t.toArray().byteLength);

test('safetensors round trip is bit-exact for every dtype (NaN, ±0, ±∞, subnormals, int64 extremes)', () => {
  const before = undisposedTensorCount();
  const f = file();
  const src = sampleTensors();
  saveSafetensors(f, src, { format: 'pt', note: 'ünïcode ✓' });
  const { tensors, metadata } = loadSafetensors(f);
  assert.deepEqual(metadata, { format: 'pt', note: 'ünïcode ✓' });
  assert.deepEqual([...tensors.keys()].sort(), [...src.keys()].sort());
  for (const [name, t] of src) {
    const back = tensors.get(name)!;
    assert.equal(back.dtype, t.dtype, name);
    assert.deepEqual(back.shape, t.shape, name);
    assert.ok(bits(back).equals(bits(t)), `${name}: bits differ`);
  }
  dispose([...src.values(), ...tensors.values()]);
  assert.equal(undisposedTensorCount(), before);
});

test('float16 and bfloat16: all 65,536 bit patterns (NaN aside) survive a save/load exactly', () => {
  const before = undisposedTensorCount();
  const half = (h: number) => {
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
    return h & 0x8000 ? -v : v;
  };
  const patterns = Array.from({ length: 65536 }, (_, i) => i);
  const halfValues = patterns.map(half).filter((v) => !Number.isNaN(v));
  const bf = new Float32Array(new Uint32Array(patterns.map((p) => (p << 16) >>> 0)).buffer).filter((v) => !Number.isNaN(v));
  const f = file();
  const src = new Map([
    ['h', tensor(halfValues, [halfValues.length], { dtype: 'float16' })],
    ['b', tensor(bf, [bf.length], { dtype: 'bfloat16' })],
  ]);
  saveSafetensors(f, src);
  const { tensors } = loadSafetensors(f);
  for (const [name, t] of src) assert.ok(bits(tensors.get(name)!).equals(bits(t)), name);
  // -0 keeps its sign bit.
  assert.ok(Object.is(tensors.get('h')!.toNumbers()[halfValues.findIndex((v) => Object.is(v, -0))], -0), '-0 keeps its sign');
  dispose([...src.values(), ...tensors.values()]);
  assert.equal(undisposedTensorCount(), before);
});

// ---------------------------------------------------------------- an independent reader of the format
interface RefEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}
const REF_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };

/** Parses per the reference rules (huggingface/safetensors README) and asserts each one. */
function readByReference(buf: Buffer): { header: Record<string, RefEntry>; data: Buffer; metadata?: Record<string, string> } {
  assert.ok(buf.length >= 8, 'at least the 8-byte header size');
  const size = buf.readBigUInt64LE(0);
  assert.ok(size <= 100_000_000n, 'header under 100 MB');
  const n = Number(size);
  const headerBytes = buf.subarray(8, 8 + n);
  assert.equal(headerBytes[0], 0x7b, "header starts with '{'");
  const text = headerBytes.toString('utf8');
  assert.equal(Buffer.from(text, 'utf8').length, n, 'header is valid UTF-8');
  assert.match(text, /^\{.*\} *$/s, 'only trailing spaces pad the JSON');
  const json = JSON.parse(text) as Record<string, unknown>;
  const { __metadata__: metadata, ...rest } = json;
  if (metadata !== undefined) for (const v of Object.values(metadata as object)) assert.equal(typeof v, 'string', 'metadata values are strings');
  const header = rest as Record<string, RefEntry>;
  const data = buf.subarray(8 + n);
  const spans = Object.entries(header).map(([name, e]) => {
    assert.ok(e.dtype in REF_BYTES, `${name}: known dtype ${e.dtype}`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    assert.equal(e.data_offsets[1] - e.data_offsets[0], count * REF_BYTES[e.dtype]!, `${name}: byte span matches dtype × shape`);
    return e.data_offsets;
  });
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [b, e] of spans) {
    assert.equal(b, cursor, 'offsets are contiguous from 0 (no holes, no overlaps)');
    cursor = e;
  }
  assert.equal(cursor, data.length, 'the data buffer is entirely indexed');
  return { header, data, ...(metadata ? { metadata: metadata as Record<string, string> } : {}) };
}

test('files written follow the reference format rules, values little-endian at their offsets', () => {
  const f = file();
  const src = sampleTensors();
  saveSafetensors(f, src, { k: 'v' });
  const buf = readFileSync(f);
  const { header, data, metadata } = readByReference(buf);
  assert.equal(Number(buf.readBigUInt64LE(0)) % 8, 0, 'header padded to 8 bytes (the reference writer does)');
  assert.deepEqual(metadata, { k: 'v' });
  const at = (name: string) => data.subarray(header[name]!.data_offsets[0], header[name]!.data_offsets[1]);
  assert.equal(header.f32!.dtype, 'F32');
  assert.deepEqual(header.f32!.shape, [2, 4]);
  assert.equal(at('f32').readFloatLE(8), 1.5);
  assert.equal(at('f64').readDoubleLE(0), Math.PI);
  assert.equal(at('i64').readBigInt64LE(16), 9223372036854775807n);
  assert.equal(at('i32').readInt32LE(4), -2147483648);
  assert.deepEqual([...at('u8')], [0, 1, 127, 128, 255]);
  assert.equal(header.bool!.dtype, 'BOOL');
  assert.deepEqual([...at('bool')], [1, 0, 0, 1, 1, 1]);
  assert.equal(header.f16!.dtype, 'F16');
  assert.deepEqual([0, 2, 4, 6, 8].map((o) => at('f16').readUInt16LE(o)), [0x3c00, 0xc100, 0x7bff, 0x0400, 0x0001]);
  assert.equal(header.bf16!.dtype, 'BF16');
  assert.deepEqual([0, 2].map((o) => at('bf16').readUInt16LE(o)), [0x3f80, 0xc020]);
  assert.deepEqual(header.scalar!.shape, []);
  assert.deepEqual(header.empty!.data_offsets[1] - header.empty!.data_offsets[0], 0);
  dispose([...src.values()]);
});

test('a file laid out by another writer (any tensor order, no padding, no metadata) loads', () => {
  // Hand-built as the reference library could write it: b's data before a's.
  const aData = Buffer.alloc(12);
  [1, 2, 3].forEach((v, i) => aData.writeFloatLE(v, i * 4));
  const bData = Buffer.alloc(16);
  bData.writeBigInt64LE(-5n, 0);
  bData.writeBigInt64LE(6n, 8);
  const json = Buffer.from(JSON.stringify({ a: { dtype: 'F32', shape: [3], data_offsets: [16, 28] }, b: { dtype: 'I64', shape: [2, 1], data_offsets: [0, 16] } }));
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  const f = file();
  writeFileSync(f, Buffer.concat([head, json, bData, aData]));
  const { tensors, metadata } = loadSafetensors(f);
  assert.deepEqual(metadata, {});
  assert.deepEqual(tensors.get('a')!.toNumbers(), [1, 2, 3]);
  assert.equal(tensors.get('b')!.dtype, 'int64');
  assert.deepEqual(tensors.get('b')!.shape, [2, 1]);
  assert.deepEqual(tensors.get('b')!.toNumbers(), [-5, 6]);
  dispose([...tensors.values()]);
});

function assertCheckpointError(fn: () => unknown, f: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `a CheckpointError, got ${e}`);
    assert.equal(e.file, f);
    assert.ok(e.message.startsWith(f), 'the message names the file');
    assert.match(e.message, re);
    return true;
  });
}

test('damaged, foreign and missing files fail with the file name and what is wrong', () => {
  const before = undisposedTensorCount();
  const good = file();
  const ts = new Map([
    ['a', tensor([1, 2, 3, 4], [4])],
    ['b', tensor([5, 6], [2], { dtype: 'float64' })],
  ]);
  saveSafetensors(good, ts);
  const bytes = readFileSync(good);
  const headerLen = Number(bytes.readBigUInt64LE(0));
  const write = (b: Buffer | Uint8Array) => {
    const f = file();
    writeFileSync(f, b);
    return f;
  };

  let f = write(bytes.subarray(0, bytes.length - 3));
  assertCheckpointError(() => loadSafetensors(f), f, /truncated: tensor '.' needs data bytes/);
  f = write(bytes.subarray(0, 8 + Math.floor(headerLen / 2)));
  assertCheckpointError(() => loadSafetensors(f), f, /truncated: the header needs/);
  f = write(bytes.subarray(0, 5));
  assertCheckpointError(() => loadSafetensors(f), f, /truncated .*shorter than the 8-byte header length|not a safetensors file, or truncated/);
  f = write(Buffer.alloc(0));
  assertCheckpointError(() => loadSafetensors(f), f, /0 bytes/);

  const png = new PNG({ width: 4, height: 4 });
  f = write(PNG.sync.write(png));
  assertCheckpointError(() => loadSafetensors(f), f, /not a safetensors file \(it is a PNG image\)/);
  f = write(Buffer.from('{"just": "json"}'));
  assertCheckpointError(() => loadSafetensors(f), f, /not a safetensors file/);
  f = write(Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x')]));
  assertCheckpointError(() => loadSafetensors(f), f, /header is not JSON/);

  const missing = join(root, 'nope', 'weights.safetensors');
  assertCheckpointError(() => loadSafetensors(missing), missing, /no such file/);

  // Structurally wrong headers: a hole, a span that disagrees with the shape, an unknown dtype.
  const craft = (header: object, data: Buffer) => {
    const json = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(json.length));
    return write(Buffer.concat([head, json, data]));
  };
  f = craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, Buffer.alloc(8));
  assertCheckpointError(() => loadSafetensors(f), f, /tensor 'a' starts at data byte 4, expected 0/);
  f = craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, Buffer.alloc(8));
  assertCheckpointError(() => loadSafetensors(f), f, /4 data bytes after the last tensor/);
  f = craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8));
  assertCheckpointError(() => loadSafetensors(f), f, /tensor 'a' spans 8 bytes but F32 \[3\] needs 12/);
  f = craft({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, Buffer.alloc(8));
  assertCheckpointError(() => loadSafetensors(f), f, /tensor 'a' has unsupported dtype C64/);
  f = craft({ a: { dtype: 'F32' } }, Buffer.alloc(0));
  assertCheckpointError(() => loadSafetensors(f), f, /tensor 'a' has no valid dtype, shape and data_offsets/);

  dispose([...ts.values()]);
  assert.equal(undisposedTensorCount(), before, 'a failed load leaves no tensors behind');
});

test('saving refuses dtypes and names the format cannot hold, naming the file', () => {
  const f = file();
  const t = tensor([1], [1]);
  assertCheckpointError(() => saveSafetensors(f, { __metadata__: t }), f, /reserved/);
  assert.equal(existsSync(f), false, 'nothing written');
  t.dispose();
});

// ---------------------------------------------------------------- checkpoint folders
function content(step: number): { tensors: Record<string, Map<string, Tensor>>; optimizer: Buffer; state: Record<string, unknown> } {
  return {
    tensors: { weights: new Map([['w', tensor([step, step + 0.5], [2])]]), ema: new Map([['w', tensor([step * 10], [1], { dtype: 'float64' })]]) },
    optimizer: Buffer.from([step, 1, 2, 3]),
    state: { step, rng: [1, 2, 3], config: { lr: 0.001 } },
  };
}
function loadedStep(dir: string): number {
  const ck = loadCheckpoint(dir);
  const step = ck.state.step as number;
  assert.deepEqual(ck.tensors.weights!.get('w')!.toNumbers(), [step, step + 0.5], 'weights belong to the same checkpoint as state.json');
  assert.deepEqual(ck.tensors.ema!.get('w')!.toNumbers(), [step * 10]);
  assert.deepEqual([...ck.optimizer!], [step, 1, 2, 3]);
  dispose(Object.values(ck.tensors).map((m) => [...m.values()]));
  return step;
}

test('checkpoint folders round trip; list is newest first; names are zero-padded', () => {
  const before = undisposedTensorCount();
  const runDir = join(root, 'run-a');
  for (const step of [5, 120, 40]) {
    const c = content(step);
    saveCheckpoint(checkpointDir(runDir, step), c);
    dispose(Object.values(c.tensors).map((m) => [...m.values()]));
  }
  assert.equal(checkpointDir(runDir, 40), join(runDir, 'step-0000040'));
  assert.deepEqual(
    listCheckpoints(runDir).map((c) => c.step),
    [120, 40, 5],
  );
  const ck = loadCheckpoint(checkpointDir(runDir, 40));
  assert.deepEqual(ck.state, { step: 40, rng: [1, 2, 3], config: { lr: 0.001 } });
  assert.equal(ck.dir, checkpointDir(runDir, 40));
  dispose(Object.values(ck.tensors).map((m) => [...m.values()]));
  assert.equal(loadedStep(checkpointDir(runDir, 120)), 120);
  assert.deepEqual(listCheckpoints(join(root, 'no-such-run')), []);
  assertCheckpointError(() => loadCheckpoint(join(root, 'no-such-run')), join(root, 'no-such-run'), /no such checkpoint folder/);
  mkdirSync(join(root, 'not-a-checkpoint'));
  assertCheckpointError(() => loadCheckpoint(join(root, 'not-a-checkpoint')), join(root, 'not-a-checkpoint'), /no state.json/);
  assert.equal(undisposedTensorCount(), before);
});

test('a crash mid-write (leftover .tmp folder) leaves the previous checkpoint loadable; the next save cleans up', () => {
  const runDir = join(root, 'run-b');
  const dir = join(runDir, 'latest');
  const c1 = content(1);
  saveCheckpoint(dir, c1);
  // A writer killed while writing step 2: a half-written temp folder beside it.
  const tmp = `${dir}.tmp-99999`;
  mkdirSync(tmp);
  writeFileSync(join(tmp, 'weights.safetensors'), Buffer.alloc(10));
  assert.equal(loadedStep(dir), 1);
  // First checkpoint of a run that crashed: only a temp folder, nothing listed or loadable.
  mkdirSync(join(runDir, 'step-0000007.tmp-4242'));
  assert.deepEqual(listCheckpoints(runDir), []);
  assertCheckpointError(() => loadCheckpoint(join(runDir, 'step-0000007')), join(runDir, 'step-0000007'), /no such checkpoint folder/);
  const c3 = content(3);
  saveCheckpoint(dir, c3);
  assert.equal(loadedStep(dir), 3);
  assert.deepEqual(readdirSync(runDir).sort(), ['latest', 'step-0000007.tmp-4242']);
  dispose([c1, c3].flatMap((c) => Object.values(c.tensors).map((m) => [...m.values()])));
});

test('a crash between the two renames of a replace: load and list use the copy set aside', () => {
  const runDir = join(root, 'run-c');
  const dir = checkpointDir(runDir, 9);
  const c9 = content(9);
  saveCheckpoint(dir, c9);
  // The state right after `rename(dir, dir.old-<pid>)`, before `rename(tmp, dir)`.
  renameSync(dir, `${dir}.old-31337`);
  mkdirSync(`${dir}.tmp-31337`);
  assert.equal(loadedStep(dir), 9);
  assert.deepEqual(listCheckpoints(runDir), [{ step: 9, dir }]);
  const c10 = content(10);
  saveCheckpoint(dir, c10);
  assert.equal(loadedStep(dir), 10);
  assert.deepEqual(readdirSync(runDir), ['step-0000009'], 'aside and temp folders removed');
  dispose([c9, c10].flatMap((c) => Object.values(c.tensors).map((m) => [...m.values()])));
});

test('a failed save (bad tensor) removes its temp folder and keeps the previous checkpoint', () => {
  const dir = join(root, 'run-d', 'latest');
  const c = content(4);
  saveCheckpoint(dir, c);
  const bad = tensor([1], [1]);
  bad.dispose();
  assert.throws(() => saveCheckpoint(dir, { tensors: { weights: new Map([['w', bad]]) }, state: { step: 5 } }), /used after dispose/);
  assert.deepEqual(readdirSync(join(root, 'run-d')), ['latest']);
  assert.equal(loadedStep(dir), 4);
  dispose(Object.values(c.tensors).map((m) => [...m.values()]));
});

test('SIGKILL of a process saving checkpoints in a loop never leaves a half checkpoint', async () => {
  const dir = join(root, 'run-kill', 'latest');
  const fixture = join(import.meta.dirname, 'fixtures', 'checkpoint-writer.ts');
  for (let round = 0; round < 2; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 150 + 97 * round)); // mid-loop, at an arbitrary point
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const ck = loadCheckpoint(dir);
    const step = ck.state.step as number;
    assert.ok(step >= 1);
    for (const name of ['weights', 'ema']) {
      const w = ck.tensors[name]!.get('w')!.toNumbers();
      assert.ok(
        w.every((v) => v === step),
        `${name} of step ${step} holds other values`,
      );
    }
    assert.ok(ck.optimizer!.every((b) => b === (step & 0xff)));
    dispose(Object.values(ck.tensors).map((m) => [...m.values()]));
  }
});

// ---------------------------------------------------------------- module state dicts
class Net extends Module {
  readonly conv = this.child('conv', new Conv2d(1, 2, 3, { padding: 1 }));
  readonly head = this.child('head', new Linear(8, 3));
  readonly scale = this.buffer('scale', tensor([2], [1]));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.conv.forward(x).flatten(1).slice(1, 0, 8)).mul(this.scale);
  }
}

test('Module stateDict → safetensors → loadStateDict reproduces the model exactly', () => {
  const before = undisposedTensorCount();
  seedInit(1);
  const a = new Net();
  seedInit(2);
  const b = new Net();
  assert.deepEqual([...a.stateDict().keys()], ['conv.weight', 'conv.bias', 'head.weight', 'head.bias', 'scale']);
  const f = file();
  saveSafetensors(f, a.stateDict());
  const { tensors } = loadSafetensors(f);
  const x = randn([2, 1, 2, 2]);
  assert.ok(
    tidy(() => !a.forward(x).eq(b.forward(x)).all().item()),
    'different seeds, different outputs',
  );
  b.loadStateDict(tensors);
  assert.ok(tidy(() => a.forward(x).eq(b.forward(x)).all().item() === 1));
  assert.ok(b.conv.weight.requiresGrad, 'parameters stay trainable');
  dispose([...tensors.values(), x]);
  a.dispose();
  b.dispose();
  assert.equal(undisposedTensorCount(), before);
});

test('loadStateDict: a shape mismatch names the key; missing/unexpected keys are listed; strict=false loads the rest', () => {
  const net = new Net();
  const sd = new Map(net.stateDict());
  const wrong = tensor(new Float32Array(3 * 4), [3, 4]);
  sd.set('head.weight', wrong);
  assert.throws(
    () => net.loadStateDict(sd),
    (e: unknown) => e instanceof StateDictError && /'head\.weight' has shape \[3,4\] but the module expects \[3,8\]/.test(e.message),
  );
  const partial = new Map([
    ['conv.bias', tensor([7, 8], [2])],
    ['extra', tensor([1], [1])],
  ]);
  assert.throws(
    () => net.loadStateDict(partial),
    (e: unknown) => e instanceof StateDictError && /missing \[conv\.weight, head\.weight, head\.bias, scale\], unexpected \[extra\]/.test(e.message),
  );
  net.loadStateDict(partial, false);
  assert.deepEqual(net.conv.bias!.toNumbers(), [7, 8]);
  dispose([wrong, ...partial.values()]);
  net.dispose();
});
