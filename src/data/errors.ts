// Typed errors of the data module. Each names the file (and, for manifests, the
// line or column) at fault, so a bad item in a 15k-image dataset can be found.

/** An image file that could not be read or decoded. `file` is the path as given. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/** A dataset manifest (folder, CSV) that is malformed or points at something missing. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly line: number | undefined;
  readonly key: string | undefined;
  constructor(
    readonly file: string,
    readonly reason: string,
    where: { line?: number; key?: string; cause?: unknown } = {},
  ) {
    super(`${file}${where.line !== undefined ? `:${where.line}` : ''}: ${reason}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.line = where.line;
    this.key = where.key;
  }
}

/** The message of anything thrown (dicom-parser throws plain strings). */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
