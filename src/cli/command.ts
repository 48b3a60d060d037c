// The shape of one `medloop` sub-command: its options are declared as data so
// `--help` and argument errors come from one place.
export type OptionSpec = {
  type: 'string' | 'boolean';
  description: string;
  default?: string | boolean;
  short?: string;
  multiple?: boolean;
};

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** Words after `medloop`, e.g. `['study', 'simulate']`. */
  path: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  /** Extra positional arguments, named for help. */
  positionals?: string[];
  run(options: ParsedOptions, positionals: string[]): Promise<number>;
}

/** Reads a string option, failing with the option's name when it is required and missing. */
export function stringOption(opts: ParsedOptions, key: string, required: true): string;
export function stringOption(opts: ParsedOptions, key: string, required?: false): string | undefined;
export function stringOption(opts: ParsedOptions, key: string, required = false): string | undefined {
  const v = opts[key];
  if (v === undefined || v === false) {
    if (required) throw new UsageError(`missing required option --${key}`);
    return undefined;
  }
  if (typeof v !== 'string') throw new UsageError(`--${key} needs a value`);
  return v;
}

/** Reads a numeric option, naming the option when the value is not a number. */
export function numberOption(opts: ParsedOptions, key: string, fallback: number): number {
  const v = stringOption(opts, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got '${v}'`);
  return n;
}

/** A string option restricted to `choices` (the fallback when absent). */
export function choiceOption<T extends string>(opts: ParsedOptions, key: string, choices: readonly T[], fallback: T): T {
  const v = stringOption(opts, key) ?? fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${key} must be one of ${choices.join(', ')}, got '${v}'`);
  return v as T;
}

export class UsageError extends Error {
  override name = 'UsageError';
}
