// Rater and admin tokens. The database keeps only SHA-256 hashes; a token is derived as
// HMAC(workspace key, rater id, version), so the workspace owner (who holds the key
// file) can print a rater's link again while a copied database alone reveals none.
// Bumping the version revokes a link.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FeedbackError } from '../errors.js';

export function newKey(): Buffer {
  return randomBytes(32);
}

/** 32 url-safe characters (192 bits). */
export function deriveToken(key: Buffer, raterId: number, version: number): string {
  return createHmac('sha256', key).update(`medloop-rater:${raterId}:${version}`).digest().subarray(0, 24).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time comparison of two token hashes (equal length by construction). */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the workspace key (hex) or creates it, readable by the owner only. */
export function loadOrCreateKey(path: string): Buffer {
  if (existsSync(path)) {
    const hex = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new FeedbackError(`key file ${path} is not 64 hex digits`, 'bad_key_file', 500);
    return Buffer.from(hex, 'hex');
  }
  const key = newKey();
  writeFileSync(path, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}
