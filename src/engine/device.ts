// Devices and threads: CUDA when the linked libtorch has it, else CPU.
import type { Device } from './dtype.js';
import { native } from './native.js';

export function cudaAvailable(): boolean {
  return native.cudaAvailable();
}

/** 'cuda' when asked for and available (or 'auto' finds it), else 'cpu'. */
export function resolveDevice(requested: 'auto' | Device = 'auto'): Device {
  if (requested === 'auto') return cudaAvailable() ? 'cuda' : 'cpu';
  if (requested.startsWith('cuda') && !cudaAvailable()) {
    throw new Error(`device '${requested}' requested but this libtorch has no CUDA (build against a CUDA libtorch with LIBTORCH=/path)`);
  }
  return requested;
}

export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

export function engineInfo(): Record<string, string | number | boolean> {
  return {
    backend: 'libtorch',
    version: native.version(),
    threads: native.getNumThreads(),
    cuda: native.cudaAvailable(),
    cudaDevices: native.cudaAvailable() ? native.cudaDeviceCount() : 0,
  };
}

/** Bytes of the process's C heap (glibc; empty elsewhere): in live allocations, held free, and in mmapped blocks. */
export interface NativeHeapStats {
  inUse?: number;
  free?: number;
  mmapped?: number;
}

/**
 * The C heap that tensors live in. `inUse` grows only with live allocations (a leak);
 * RSS also counts the free pages glibc keeps after tensors are freed (fragmentation).
 */
export function nativeHeapStats(): NativeHeapStats {
  return native.heapStats();
}

/** Returns the C heap's free pages to the OS (malloc_trim); for long-running processes between jobs. */
export function trimNativeHeap(): boolean {
  return native.trimHeap();
}
