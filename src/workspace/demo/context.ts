// What every demo stage shares: the workspace, its config, the log, the truth
// (oracle or held-out classifier) and the real training images.
import type { Raster } from '../../data/raster.js';
import type { MedloopConfig } from '../config.js';
import type { Workspace } from '../workspace.js';
import type { DemoSize } from './presets.js';

/** Judges an image for an intended condition; stands in for experts (phantom oracle or held-out classifier). */
export type TruthJudge = (image: Raster, condition: string) => { plausible: boolean; failedCriteria: string[] };

export interface DemoData {
  /** Where the real (or phantom) training images live: a folder or CSV manifest. */
  path: string;
  classes: string[];
  images: Raster[];
  conditions: string[];
  channels: 1 | 3;
  size: number;
  /** Name of the truth judge, e.g. 'phantom-oracle' or 'real-classifier'. */
  judgeName: string;
}

export interface DemoContext {
  ws: Workspace;
  config: MedloopConfig;
  quick: boolean;
  /** Which preset: the report says which demo it shows. */
  demoSize: DemoSize;
  interactive: boolean;
  log: (line: string) => void;
  /** Progress bars stay quiet when the demo runs as a test. */
  silent: boolean;
}
