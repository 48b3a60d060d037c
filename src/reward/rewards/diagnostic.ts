// `diagnostic` (CXRL): agreement between the findings a classifier reads off the image and
// the findings the report states: 1 − mean_k |p_k − y_k| over the classifier's findings,
// y_k = 1 when the report states finding k. 1 = the image shows exactly what the report says.
import type { FindingsClassifier } from '../../models/findings-classifier.js';
import { toModelInput } from '../images.js';
import { predictFindings } from '../diagnostic/train.js';
import type { RewardFn } from '../registry.js';

export type FindingsParser = (report: string) => Record<string, boolean>;

export function diagnosticReward(net: FindingsClassifier, parseFindings: FindingsParser): RewardFn {
  const names = net.config.findings;
  const K = names.length;
  return (images, conditions) => {
    const x = toModelInput(images, { channels: 1, size: net.config.imageSize });
    try {
      const p = predictFindings(net, x);
      return conditions.map((report, i) => {
        const stated = parseFindings(report);
        let err = 0;
        names.forEach((n, k) => (err += Math.abs(p[i * K + k]! - (stated[n] ? 1 : 0))));
        return 1 - err / K;
      });
    } finally {
      x.dispose();
    }
  };
}
