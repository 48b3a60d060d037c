// Tiny model configs shared by the model and diffusion tests (fast on 2 shared cores).
import { type Module, noGrad, randn, setNumThreads } from '../../src/engine/index.js';
import type { GeneratorConfig } from '../../src/diffusion/generator.js';
import type { UNetConfig } from '../../src/models/unet.js';

// Tiny models gain nothing from a second thread, and on a shared 2-core machine
// libtorch's thread pool thrashes (measured: 115 ms vs up to 1 s a step).
setNumThreads(1);

export const TINY_CLASSES = ['basophil', 'eosinophil', 'lymphocyte'];

export function tinyUNetConfig(over: Partial<UNetConfig> = {}): UNetConfig {
  return { resolution: 8, inChannels: 3, baseChannels: 8, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], heads: 2, groups: 4, dropout: 0, contextDim: 16, ...over };
}

export function tinyGeneratorConfig(over: Partial<GeneratorConfig> = {}): GeneratorConfig {
  return {
    unet: tinyUNetConfig(),
    condition: { kind: 'class', classes: TINY_CLASSES, dim: 16, tokensPerClass: 2 },
    schedule: { kind: 'linear', numTimesteps: 1000 },
    image: { size: 8, channels: 3 },
    ...over,
  };
}

/** Adds small noise to every parameter: zero-initialised output layers otherwise block all gradients at init. */
export function perturb(m: Module, std = 0.05): void {
  noGrad(() => {
    for (const p of m.parameters()) {
      const n = randn(p.shape).mul(std);
      p.add_(n);
      n.dispose();
    }
  });
}
