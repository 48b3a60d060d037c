// `medloop study create`: a blinded rating study from a sample folder (PNG + JSON
// sidecars) or an image folder + CSV, with its raters' personal links.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type Command, numberOption, stringOption, UsageError } from '../command.js';
import { createStudyFromCsv, createStudyFromSamples, raterLink, type ChecklistInput, type StudyMode } from '../../feedback/index.js';
import { DEFAULT_PORT, listOption, openWorkspaceStore, workspaceOption } from './study-common.js';

function readChecklist(path: string): ChecklistInput {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--checklist: cannot read ${path}: ${(e as Error).message}`);
  }
  const d = data as { default?: unknown; byCondition?: unknown } | null;
  const isList = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!d || typeof d !== 'object' || (d.default !== undefined && !isList(d.default))) throw new UsageError(`--checklist ${path}: expected {default: [labels…], byCondition: {condition: [labels…]}}`);
  const byCondition = (d.byCondition ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(byCondition)) if (!isList(v)) throw new UsageError(`--checklist ${path}: byCondition.${k} must be a list of labels`);
  return { ...(d.default ? { default: d.default as string[] } : {}), byCondition: byCondition as Record<string, string[]> };
}

export const studyCreateCommand: Command = {
  path: ['study', 'create'],
  summary: 'Create a blinded rating study from samples (PNG + JSON sidecars) or an image CSV',
  options: {
    workspace: workspaceOption,
    name: { type: 'string', description: 'study name (unique in the workspace)' },
    mode: { type: 'string', description: 'binary (plausible/implausible + checklist) or pairwise (left/right/tie)', default: 'binary' },
    samples: { type: 'string', description: 'folder of sample images with JSON sidecars {condition, model?, run?, …}' },
    csv: { type: 'string', description: 'CSV with path,condition[,gold_answer][,source]' },
    images: { type: 'string', description: "folder the CSV's paths are relative to (default: the CSV's folder)" },
    raters: { type: 'string', description: 'comma-separated rater names (created when new)' },
    k: { type: 'string', description: 'raters per item', default: '3' },
    'gold-rate': { type: 'string', description: 'fraction of each queue that is gold items (default 0.1 when gold images exist)' },
    seed: { type: 'string', description: 'seed for order, sides and assignment', default: '1' },
    comparisons: { type: 'string', description: 'pairwise: comparisons per image', default: '1' },
    checklist: { type: 'string', description: 'YAML/JSON checklist {default: [...], byCondition: {cond: [...]}} (default: blood-cell morphology)' },
    instructions: { type: 'string', description: 'text shown to raters in the help overlay' },
    'base-url': { type: 'string', description: 'base of the printed rater links', default: `http://127.0.0.1:${DEFAULT_PORT}` },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(opts) {
    const name = stringOption(opts, 'name', true);
    const mode = stringOption(opts, 'mode') ?? 'binary';
    if (mode !== 'binary' && mode !== 'pairwise') throw new UsageError(`--mode must be binary or pairwise, got '${mode}'`);
    const samples = stringOption(opts, 'samples');
    const csv = stringOption(opts, 'csv');
    if (!samples === !csv) throw new UsageError('give exactly one of --samples or --csv');
    const goldRate = stringOption(opts, 'gold-rate');
    const checklist = stringOption(opts, 'checklist');
    const instructions = stringOption(opts, 'instructions');
    const images = stringOption(opts, 'images');
    const common = {
      name,
      mode: mode as StudyMode,
      raters: listOption(opts, 'raters'),
      ratersPerItem: numberOption(opts, 'k', 3),
      seed: numberOption(opts, 'seed', 1),
      comparisonsPerImage: numberOption(opts, 'comparisons', 1),
      ...(goldRate !== undefined ? { goldRate: numberOption(opts, 'gold-rate', 0) } : {}),
      ...(checklist ? { checklists: readChecklist(checklist) } : {}),
      ...(instructions ? { instructions } : {}),
      actor: 'cli',
    };
    const store = openWorkspaceStore(opts);
    try {
      const created = samples ? createStudyFromSamples(store, { ...common, dir: samples }) : createStudyFromCsv(store, { ...common, csv: csv!, ...(images ? { imageDir: images } : {}) });
      const base = (stringOption(opts, 'base-url') ?? `http://127.0.0.1:${DEFAULT_PORT}`).replace(/\/+$/, '');
      const raters = created.raters.map((r) => ({ name: r.rater.name, created: r.created, link: raterLink(base, r.token) }));
      if (opts.json) {
        console.log(JSON.stringify({ study: { id: created.study.id, name: created.study.name, mode: created.study.mode }, items: created.items, goldItems: created.goldItems, assignments: created.assignments, raters, warnings: created.warnings }));
      } else {
        console.log(`Created study ${created.study.id} '${created.study.name}' (${created.study.mode}): ${created.items} items, ${created.goldItems} gold, ${created.assignments} assignments.`);
        for (const w of created.warnings) console.log(`warning: ${w}`);
        if (raters.length) {
          console.log('Rater links (valid while `medloop serve` runs on this base URL):');
          for (const r of raters) console.log(`  ${r.name}  ${r.link}`);
        }
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
