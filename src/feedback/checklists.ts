// Clinical checklists: the criteria a rater can mark as failing, configurable per
// condition. The default is the blood-cell morphology list pathologists use for
// peripheral blood smears (see ../shared/data/README.md, pbc64).
import { InvalidInputError } from './errors.js';

export interface Criterion {
  /** Stable id stored with answers (slug of the label). */
  id: string;
  label: string;
}

export interface ChecklistConfig {
  /** Criteria for any condition not listed in `byCondition`. */
  default: Criterion[];
  byCondition: Record<string, Criterion[]>;
}

export const BLOOD_CELL_CRITERIA: readonly string[] = [
  'Cell size',
  'Nucleus shape',
  'Chromatin pattern',
  'Nucleus/cytoplasm ratio',
  'Cytoplasm colour',
  'Granules',
  'Inclusions',
];

export function criterionId(label: string): string {
  const id = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!id) throw new InvalidInputError(`checklist criterion '${label}' has no letters or digits to form an id`);
  return id;
}

function criteria(labels: ReadonlyArray<string | Criterion>, where: string): Criterion[] {
  const out = labels.map((l) => (typeof l === 'string' ? { id: criterionId(l), label: l } : { id: l.id, label: l.label }));
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.id)) throw new InvalidInputError(`checklist ${where}: criterion id '${c.id}' appears twice`);
    seen.add(c.id);
  }
  return out;
}

export type ChecklistInput = {
  default?: ReadonlyArray<string | Criterion>;
  byCondition?: Record<string, ReadonlyArray<string | Criterion>>;
};

/** Normalises a checklist given as label lists (e.g. from YAML) into criteria with ids. */
export function makeChecklistConfig(input: ChecklistInput = {}): ChecklistConfig {
  const byCondition: Record<string, Criterion[]> = {};
  for (const [cond, list] of Object.entries(input.byCondition ?? {})) byCondition[cond] = criteria(list, `for condition '${cond}'`);
  return { default: criteria(input.default ?? BLOOD_CELL_CRITERIA, 'default'), byCondition };
}

export function checklistFor(config: ChecklistConfig, condition: string): Criterion[] {
  return config.byCondition[condition] ?? config.default;
}
