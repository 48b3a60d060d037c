// `classifier`: a classifier trained on real images, asked how sure it is that the
// image shows the class it was generated for (softmax probability of that class).
// Reuses the evaluation module's CNN classifier (models/classifier.ts).
import type { Raster } from '../../data/raster.js';
import { CnnClassifier, type ClassifierConfig } from '../../models/classifier.js';
import { predictProba, trainClassifier, type TrainClassifierOptions } from '../../models/classifier-train.js';
import { toModelInput } from '../images.js';
import { type ModelInfo, loadVersionedNet, saveVersionedModel } from '../model-store.js';
import { rastersToUnitTensor } from '../plausibility/train.js';
import type { RewardFn } from '../registry.js';
import { UnknownRewardConditionError } from '../../models/reward-net.js';

export const CLASSIFIER_REWARD_KIND = 'medloop.classifier-reward';

export interface ClassifierRewardModel {
  net: CnnClassifier;
  classNames: string[];
}

export function classifierReward(model: ClassifierRewardModel): RewardFn {
  const index = new Map(model.classNames.map((c, i) => [c, i]));
  return (images, conditions) => {
    const cls = conditions.map((c) => {
      const i = index.get(c);
      if (i === undefined) throw new UnknownRewardConditionError(c, model.classNames);
      return i;
    });
    const x = toModelInput(images, { channels: model.net.config.inChannels, size: model.net.config.imageSize });
    try {
      const p = predictProba(model.net, x);
      const k = model.classNames.length;
      return cls.map((c, i) => p[i * k + c]!);
    } finally {
      x.dispose();
    }
  };
}

/** Trains the classifier on real images with their classes (class index = position in sorted class names). */
export function trainClassifierReward(
  real: ReadonlyArray<{ image: Raster; condition: string }>,
  opts: { imageSize?: number; channels?: 1 | 3 } & TrainClassifierOptions = {},
): ClassifierRewardModel & { history: unknown } {
  const classNames = [...new Set(real.map((r) => r.condition))].sort();
  const idx = new Map(classNames.map((c, i) => [c, i]));
  const size = opts.imageSize ?? Math.min(32, real[0]!.image.width);
  const x = rastersToUnitTensor(
    real.map((r) => r.image),
    size,
    opts.channels ?? real[0]!.image.channels,
  );
  try {
    const trained = trainClassifier(
      x,
      real.map((r) => idx.get(r.condition)!),
      { ...opts, numClasses: classNames.length, classNames, config: { widths: [16, 32, 64], ...opts.config, imageSize: size } },
    );
    return { net: trained.net, classNames, history: trained.history };
  } finally {
    x.dispose();
  }
}

export function saveClassifierReward(root: string, model: ClassifierRewardModel, extra: { metrics?: Record<string, unknown>; source?: Record<string, unknown> } = {}): { dir: string; info: ModelInfo } {
  return saveVersionedModel(root, {
    kind: CLASSIFIER_REWARD_KIND,
    weights: model.net.stateDict(),
    config: { net: model.net.config, classNames: model.classNames },
    data: { classNames: model.classNames },
    metrics: extra.metrics ?? {},
    source: extra.source ?? {},
  });
}

export function loadClassifierReward(path: string): ClassifierRewardModel & { info: ModelInfo } {
  let classNames: string[] = [];
  const { net, info } = loadVersionedNet(path, CLASSIFIER_REWARD_KIND, (config) => {
    const c = config as { net: ClassifierConfig; classNames: string[] };
    classNames = c.classNames;
    return new CnnClassifier(c.net);
  });
  return { net, classNames, info };
}
