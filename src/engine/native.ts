// Loads the libtorch addon built at install time (native/, binding.gyp) and types its surface.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeTensor {
  shape(): number[];
  dtype(): string;
  device(): string;
  numel(): number;
  toArray(): Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
  item(): number;
  dispose(): void;
  isDisposed(): boolean;
  requiresGrad(): boolean;
  setRequiresGrad(v: boolean): void;
  grad(): NativeTensor | null;
  clearGrad(): void;
  backward(grad?: NativeTensor | null, retainGraph?: boolean): void;
  isLeaf(): boolean;
}

export interface NativeGenerator {
  getState(): NativeTensor;
  setState(state: NativeTensor): void;
  seed(seed: number): void;
}

export interface NativeOptimizer {
  step(): void;
  zeroGrad(): void;
  getLr(group: number): number;
  setLr(group: number, lr: number): void;
  saveState(): Buffer;
  loadState(state: Buffer): void;
  groupCount(): number;
}

// Op arguments are tensors, numbers, booleans, strings, arrays or null; results a tensor, a list or a number.
export type NativeOp = (...args: unknown[]) => unknown;

export interface NativeBinding {
  Tensor: new () => NativeTensor;
  Generator: new (seed: number | bigint) => NativeGenerator;
  Optimizer: new (kind: string, groups: { params: NativeTensor[]; lr?: number; weightDecay?: number }[], defaults: Record<string, number | boolean>) => NativeOptimizer;
  ops: Record<string, NativeOp>;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  liveTensors(): number;
  undisposedTensors(): number;
  cudaAvailable(): boolean;
  cudaDeviceCount(): number;
  version(): string;
  parallelInfo(): string;
  heapStats(): { inUse?: number; free?: number; mmapped?: number };
  trimHeap(): boolean;
}

function load(): NativeBinding {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const file = join(root, 'build', 'Release', 'medloop_torch.node');
  if (!existsSync(file)) {
    throw new Error(`the libtorch addon is not built (${file} missing): run \`npm ci\` (needs \`apt-get install -y libtorch-dev\`) or \`npm run build:native\``);
  }
  // Read once, when the libraries load:
  // - glog (Debian's libtorch logs through it): keep hardware notices (NNPACK and the
  //   like) off stderr unless asked for.
  // - OpenMP: idle threads sleep instead of spinning. Spinning threads starve each other
  //   when the cores are shared (a server, several jobs, other processes): measured on
  //   this 2-core machine under load, the reference training step took 1.49 s spinning
  //   and 0.44 s sleeping (a small-tensor test 30× slower). Set OMP_WAIT_POLICY=active
  //   to spin on a dedicated machine.
  process.env.GLOG_minloglevel ??= '2';
  process.env.OMP_WAIT_POLICY ??= 'passive';
  return createRequire(import.meta.url)(file) as NativeBinding;
}

export const native: NativeBinding = load();

// OpenMP here often starts with one thread; use every core unless MEDLOOP_THREADS says otherwise.
native.setNumThreads(Number(process.env.MEDLOOP_THREADS) || availableParallelism());
