// The ablation's data: phantom chest X-rays with their templated reports. The
// training set (pretraining, reward nets, DDPO's report pool) and the held-out set
// (evaluation reports, and their phantoms as the real reference) are two seeded
// streams, so neither depends on the other's size.
import type { Raster } from '../../data/raster.js';
import { type FindingKey, cxrPhantom, deriveSeed, findingsToRecord } from '../../data/phantoms/index.js';

export interface CxrSet {
  images: Raster[];
  reports: string[];
  /** The findings each report states (= drawn, for valid phantoms). */
  findings: Record<FindingKey, boolean>[];
}

export function phantomCxrSet(n: number, size: number, seed: number): CxrSet {
  const set: CxrSet = { images: [], reports: [], findings: [] };
  for (let i = 0; i < n; i++) {
    const p = cxrPhantom(i, { size, seed });
    set.images.push(p.image);
    set.reports.push(p.report);
    set.findings.push(findingsToRecord(p.stated));
  }
  return set;
}

export function ablationData(cfg: { seed: number; imageSize: number; data: { trainImages: number; heldOutReports: number } }): { train: CxrSet; heldOut: CxrSet } {
  return {
    train: phantomCxrSet(cfg.data.trainImages, cfg.imageSize, deriveSeed(cfg.seed, 'ablation-train')),
    heldOut: phantomCxrSet(cfg.data.heldOutReports, cfg.imageSize, deriveSeed(cfg.seed, 'ablation-held-out')),
  };
}
