// One entry point for image bytes: dispatch by magic bytes (not by file name,
// which lies), with every failure an ImageDecodeError naming the file.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type DicomOptions, decodeDicom, isDicomPart10, looksLikeRawDicom } from './dicom.js';
import { ImageDecodeError, reasonOf } from './errors.js';
import { decodeJpeg } from './jpeg.js';
import { decodePng } from './png-decode.js';
import type { Raster } from './raster.js';

export type ImageFormat = 'png' | 'jpeg' | 'dicom';

export interface DecodeOptions {
  dicom?: DicomOptions;
}

/** File extensions that image-folder manifests pick up (lower case, with the dot). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.dcm', '.dicom']);

/**
 * The format of image bytes from their signature; a raw (preamble-less) DICOM data
 * set is recognised by a `.dcm`/`.dicom` name or a leading group-0002/0008 tag.
 */
export function detectFormat(bytes: Uint8Array, fileName = ''): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (isDicomPart10(bytes)) return 'dicom';
  const ext = extname(fileName).toLowerCase();
  if (ext === '.dcm' || ext === '.dicom' || looksLikeRawDicom(bytes)) return 'dicom';
  return undefined;
}

/** Decodes PNG, JPEG or DICOM bytes into a Raster in [0, 1] (1 or 3 channels). */
export function decodeImage(bytes: Uint8Array, fileName: string, options: DecodeOptions = {}): Raster {
  if (bytes.length === 0) throw new ImageDecodeError(fileName, 'empty file');
  const format = detectFormat(bytes, fileName);
  switch (format) {
    case 'png':
      return decodePng(bytes, fileName);
    case 'jpeg':
      return decodeJpeg(bytes, fileName);
    case 'dicom':
      return decodeDicom(bytes, fileName, options.dicom);
    default:
      throw new ImageDecodeError(fileName, 'unrecognised image format (expected PNG, JPEG or DICOM)');
  }
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new ImageDecodeError(path, `cannot read file (${reasonOf(e)})`, { cause: e });
  }
}

/** Reads and decodes an image file; unreadable and undecodable files both throw ImageDecodeError. */
export async function readImage(path: string, options: DecodeOptions = {}): Promise<Raster> {
  return decodeImage(await readBytes(path), path, options);
}

export function readImageSync(path: string, options: DecodeOptions = {}): Raster {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ImageDecodeError(path, `cannot read file (${reasonOf(e)})`, { cause: e });
  }
  return decodeImage(bytes, path, options);
}
