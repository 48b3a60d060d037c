// `medloop demo`: the whole expert-in-the-loop cycle in one command (see src/workspace/demo/).
import { type Command, UsageError, numberOption, stringOption } from '../command.js';
import { runDemo } from '../../workspace/demo/demo.js';

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Run the whole cycle: data → pretrain → rating study → reward model → align (DDPO, RWL) → evaluate → report',
  options: {
    out: { type: 'string', description: 'demo workspace folder (report.html and metrics.json land here); re-running resumes', default: 'medloop-demo' },
    data: { type: 'string', description: 'a labelled real image folder or CSV (e.g. ../shared/data/pbc64) instead of phantom cells' },
    quick: { type: 'boolean', description: 'the CI-sized version (≤ 3 min on 2 cores)' },
    long: { type: 'boolean', description: 'four times the pretraining (a stronger baseline to align) and 16 warmed-up DDPO iterations (about 45 min on 2 cores)' },
    interactive: { type: 'boolean', description: 'stop at the rating study and print the rating links: a person rates instead of the simulators' },
    seed: { type: 'string', description: 'seed for data, weights, sampling and raters', default: '1' },
    json: { type: 'boolean', description: 'print metrics.json to stdout at the end' },
  },
  async run(opts) {
    if (opts.quick && opts.long) throw new UsageError('medloop demo: --quick and --long are two sizes of the demo; choose one');
    const data = stringOption(opts, 'data');
    const metrics = await runDemo({
      out: stringOption(opts, 'out', true),
      ...(data ? { data } : {}),
      quick: Boolean(opts.quick),
      long: Boolean(opts.long),
      interactive: Boolean(opts.interactive),
      seed: numberOption(opts, 'seed', 1),
    });
    if (opts.json) console.log(JSON.stringify(metrics));
    return 0;
  },
};
