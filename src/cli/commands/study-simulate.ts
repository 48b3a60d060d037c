// `medloop study simulate`: simulated raters answer a study through the HTTP API (an
// in-process server on a free port unless --url names a running one).
import { type Command, numberOption, stringOption, UsageError } from '../command.js';
import { Progress } from '../progress.js';
import { DEFAULT_JUDGE, listJudges, simulateStudy } from '../../feedback/index.js';
import { openWorkspaceStore, requireStudy, workspaceOption } from './study-common.js';

function numbers(opts: Parameters<Command['run']>[0], key: string, fallback: number): number[] {
  const v = stringOption(opts, key);
  if (v === undefined) return [fallback];
  const list = v.split(',').map((x) => Number(x.trim()));
  if (list.some((x) => !Number.isFinite(x))) throw new UsageError(`--${key} must be a number or comma-separated numbers, got '${v}'`);
  return list;
}

export const studySimulateCommand: Command = {
  path: ['study', 'simulate'],
  summary: 'Answer a study with simulated raters (error rate, bias, judge) over the HTTP API',
  options: {
    workspace: workspaceOption,
    study: { type: 'string', description: 'study name or id' },
    raters: { type: 'string', description: 'number of simulated raters', default: '5' },
    error: { type: 'string', description: 'error rate, or one per rater (0.05,0.1,0.2)', default: '0.1' },
    bias: { type: 'string', description: 'bias in [-1, 1] (binary: + leans plausible; pairwise: + leans left), or one per rater', default: '0' },
    seed: { type: 'string', description: 'random seed', default: '1' },
    judge: { type: 'string', description: `registered judge (${listJudges().map((j) => j.name).join(', ')})`, default: DEFAULT_JUDGE },
    prefix: { type: 'string', description: 'simulated rater name prefix', default: 'sim' },
    url: { type: 'string', description: 'base URL of a running `medloop serve` (default: start one in-process)' },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  async run(opts) {
    const store = openWorkspaceStore(opts);
    try {
      const study = requireStudy(store, stringOption(opts, 'study', true));
      const n = numberOption(opts, 'raters', 5);
      const url = stringOption(opts, 'url');
      let progress: Progress | undefined;
      const result = await simulateStudy({
        ...(url ? { url, adminToken: store.ensureAdmin().token } : { store }),
        study: study.id,
        raters: n,
        errorRate: numbers(opts, 'error', 0.1),
        bias: numbers(opts, 'bias', 0),
        seed: numberOption(opts, 'seed', 1),
        judge: stringOption(opts, 'judge') ?? DEFAULT_JUDGE,
        namePrefix: stringOption(opts, 'prefix') ?? 'sim',
        onStart: (total) => (progress = new Progress({ label: `simulate ${study.name}`, total: Math.max(1, total), silent: Boolean(opts.json) })),
        onProgress: (done) => progress?.set(done),
      });
      progress?.finish();
      const summary = {
        study: study.name,
        answers: result.answers,
        seconds: Number(result.seconds.toFixed(3)),
        answersPerSecond: Number(result.answersPerSecond.toFixed(1)),
        raters: result.raters,
      };
      if (opts.json) console.log(JSON.stringify(summary));
      else {
        console.log(`${result.answers} answers from ${result.raters.length} simulated raters in ${summary.seconds} s (${summary.answersPerSecond}/s).`);
        for (const r of result.raters) console.log(`  ${r.name.padEnd(10)} ${String(r.answered).padStart(5)} answers, ${r.deviations} against the judge`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
