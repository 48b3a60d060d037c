// Downstream utility: train a classifier on synthetic images and test it on real
// held-out images (TSTR), beside the same classifier trained on real images
// (TRTR). A generator whose samples carry the class information scores close to
// the real-trained baseline; the gap is what the report shows.
import type { CnnClassifier } from '../../models/classifier.js';
import { type LabelledImages, type TrainClassifierOptions, predictProba, trainClassifier } from '../../models/classifier-train.js';
import { type ClassificationScores, classificationScores } from './classification.js';

export interface UtilityData {
  /** Generated images with the class they were conditioned on. */
  synthetic: LabelledImages;
  /** Real held-out test images (never used for training either classifier). */
  realTest: LabelledImages;
  /** Real training images for the TRTR baseline (omit to skip it). */
  realTrain?: LabelledImages;
  /**
   * A classifier already trained on real data with the same settings (e.g. the
   * domain feature extractor): used as the TRTR baseline instead of training one.
   */
  realTrained?: CnnClassifier;
}

export interface UtilityOptions {
  numClasses: number;
  /** Classifier training settings shared by both runs (same seed, epochs, architecture). */
  train?: Omit<TrainClassifierOptions, 'numClasses' | 'val'>;
  /** Called with 'synthetic' or 'real' before each training run. */
  onStage?: (stage: 'synthetic' | 'real') => void;
}

export interface UtilityResult {
  trainOnSynthetic: ClassificationScores;
  trainOnReal?: ClassificationScores;
  /** TSTR − TRTR (negative: synthetic data is worth less than real data). */
  gap?: { accuracy: number; macroF1: number; aurocMacro: number };
}

/** Scores of a trained classifier on labelled test images. */
export function testClassifier(net: CnnClassifier, test: LabelledImages, numClasses = net.config.numClasses): ClassificationScores {
  return classificationScores(predictProba(net, test.images), test.labels, numClasses);
}

function trainAndTest(train: LabelledImages, test: LabelledImages, opts: UtilityOptions): ClassificationScores {
  const { net } = trainClassifier(train.images, train.labels, { ...opts.train, numClasses: opts.numClasses });
  try {
    return testClassifier(net, test, opts.numClasses);
  } finally {
    net.dispose();
  }
}

export function utility(data: UtilityData, opts: UtilityOptions): UtilityResult {
  opts.onStage?.('synthetic');
  const trainOnSynthetic = trainAndTest(data.synthetic, data.realTest, opts);
  if (!data.realTrain && !data.realTrained) return { trainOnSynthetic };
  opts.onStage?.('real');
  const trainOnReal = data.realTrained ? testClassifier(data.realTrained, data.realTest, opts.numClasses) : trainAndTest(data.realTrain!, data.realTest, opts);
  return {
    trainOnSynthetic,
    trainOnReal,
    gap: {
      accuracy: trainOnSynthetic.accuracy - trainOnReal.accuracy,
      macroF1: trainOnSynthetic.macroF1 - trainOnReal.macroF1,
      aurocMacro: trainOnSynthetic.aurocMacro - trainOnReal.aurocMacro,
    },
  };
}
