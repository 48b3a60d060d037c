// Native memory is freed explicitly: `tidy` frees every tensor created inside it
// except what it returns (like tfjs's tidy); the addon's finalizers are only a backstop.
import type { Tensor } from './tensor.js';
import { native } from './native.js';

const scopes: Set<Tensor>[] = [];

/** Called by every new Tensor: it belongs to the innermost open scope. */
export function track(t: Tensor): void {
  const top = scopes[scopes.length - 1];
  if (top) top.add(t);
}

/** Removes tensors from the scope that would free them (parameters, long-lived state). */
export function keep<T>(value: T): T {
  for (const t of collect(value)) for (const s of scopes) s.delete(t);
  return value;
}

/**
 * Runs `fn` and frees the tensors it created, except those in its result
 * (found in arrays, plain objects and Maps), which pass to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error('tidy() takes a synchronous function; free tensors in async code with dispose()');
  }
  const kept = collect(result);
  for (const t of scope) if (!kept.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
  return result;
}

function collect(value: unknown, out = new Set<Tensor>(), seen = new Set<unknown>()): Set<Tensor> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (isTensor(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen);
  return out;
}

function isTensor(v: object): v is Tensor {
  return (v as { __isTensor?: boolean }).__isTensor === true;
}

/** Frees every tensor in a value (arrays, objects, Maps). */
export function dispose(value: unknown): void {
  for (const t of collect(value)) t.dispose();
}

/** Tensors alive in native memory, across all scopes (falls when V8 collects a dropped handle). */
export function liveTensorCount(): number {
  return native.liveTensors();
}

/**
 * Tensors made and never disposed explicitly: the leak check for tests. A handle the GC
 * finalizes still counts, so the figure cannot move when V8 happens to run.
 */
export function undisposedTensorCount(): number {
  return native.undisposedTensors();
}
