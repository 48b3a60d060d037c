// `medloop ablate cxr`: issue 8's ablation in one command — phantom chest X-rays
// with reports, a pretrained report-conditioned generator, CXRL's three reward nets,
// DDPO arms (full, w/o ACE, w/o RLCF, each reward alone) from the same start, and
// the table of rewards and oracle agreement (ablation.md / ablation.json / samples.png).
import { type Command, UsageError, numberOption, stringOption } from '../command.js';
import { setNumThreads } from '../../engine/index.js';
import { CXR_ABLATION_DEFAULT, CXR_ABLATION_QUICK } from '../../workspace/ablation/config.js';
import { runCxrAblation } from '../../workspace/ablation/run-ablation.js';

export const ablateCxrCommand: Command = {
  path: ['ablate', 'cxr'],
  summary: 'CXR ablation (full / w/o ACE / w/o RLCF / single rewards) on phantom X-rays with reports: table of rewards and oracle agreement',
  options: {
    out: { type: 'string', description: 'output folder (re-running in it resumes and reuses finished stages)', default: 'ablation-cxr' },
    quick: { type: 'boolean', description: 'a few-minute version (smaller data, pretraining and DDPO; noisy numbers)' },
    seed: { type: 'string', description: 'seed for data, weights, sampling and DDPO', default: String(CXR_ABLATION_DEFAULT.seed) },
    threads: { type: 'string', description: 'CPU threads for libtorch (default: MEDLOOP_THREADS, else all cores)' },
    quiet: { type: 'boolean', description: 'no progress output' },
  },
  async run(opts) {
    if (stringOption(opts, 'threads')) setNumThreads(numberOption(opts, 'threads', 1));
    const seed = numberOption(opts, 'seed', CXR_ABLATION_DEFAULT.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
    const config = { ...(opts.quick ? CXR_ABLATION_QUICK : CXR_ABLATION_DEFAULT), seed };
    const quiet = Boolean(opts.quiet);
    const result = await runCxrAblation({ out: stringOption(opts, 'out', true), config, silent: quiet, log: (l) => (quiet ? undefined : console.error(l)) });
    console.log(result.table);
    console.log(`\n${result.files.markdown}\n${result.files.json}\n${result.files.grid}`);
    console.log(`seconds: ${Object.entries(result.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} (this call ${result.secondsThisCall.toFixed(1)})`);
    return 0;
  },
};
