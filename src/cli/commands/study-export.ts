// `medloop study export`: a study's answers with provenance, as CSV or JSONL.
import { writeFileSync } from 'node:fs';
import { type Command, stringOption, UsageError } from '../command.js';
import { exportCsv, exportJsonl } from '../../feedback/index.js';
import { openWorkspaceStore, requireStudy, workspaceOption } from './study-common.js';

export const studyExportCommand: Command = {
  path: ['study', 'export'],
  summary: "Export a study's answers (with provenance and undo history) as CSV or JSONL",
  options: {
    workspace: workspaceOption,
    study: { type: 'string', description: 'study name or id' },
    format: { type: 'string', description: 'csv or jsonl', default: 'csv' },
    out: { type: 'string', description: 'output file (default: stdout)' },
  },
  async run(opts) {
    const format = stringOption(opts, 'format') ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, got '${format}'`);
    const store = openWorkspaceStore(opts);
    try {
      const study = requireStudy(store, stringOption(opts, 'study', true));
      const text = format === 'csv' ? exportCsv(store, study.id) : exportJsonl(store, study.id);
      const out = stringOption(opts, 'out');
      if (out) writeFileSync(out, text);
      else process.stdout.write(text);
      return 0;
    } finally {
      store.close();
    }
  },
};
