// `medloop study status`: studies in the workspace, or one study's progress, gold
// accuracy and agreement.
import { type Command, stringOption } from '../command.js';
import { studyReport } from '../../feedback/index.js';
import { openWorkspaceStore, requireStudy, workspaceOption } from './study-common.js';

const f = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3));

export const studyStatusCommand: Command = {
  path: ['study', 'status'],
  summary: 'Progress, gold accuracy and agreement (Cohen, Fleiss, Krippendorff) of a study',
  options: {
    workspace: workspaceOption,
    study: { type: 'string', description: 'study name or id (default: list studies)' },
    json: { type: 'boolean', description: 'print JSON' },
  },
  async run(opts) {
    const store = openWorkspaceStore(opts);
    try {
      const name = stringOption(opts, 'study');
      if (!name) {
        const studies = store.listStudies().map((s) => ({ id: s.id, name: s.name, mode: s.mode, status: s.status, raters: store.studyRaters(s.id).length }));
        if (opts.json) console.log(JSON.stringify({ studies }));
        else if (!studies.length) console.log('No studies in this workspace.');
        else for (const s of studies) console.log(`${String(s.id).padStart(3)}  ${s.name}  (${s.mode}, ${s.status}, ${s.raters} raters)`);
        return 0;
      }
      const r = studyReport(store, requireStudy(store, name).id);
      if (opts.json) {
        console.log(JSON.stringify(r));
        return 0;
      }
      console.log(`${r.study.name} (${r.study.mode}, ${r.study.status}): ${r.items} items, ${r.goldItems} gold, ${r.answers} answers (${r.retracted} undone)`);
      for (const x of r.raters) console.log(`  ${x.name.padEnd(12)} ${x.done}/${x.total}  gold ${x.gold.accuracy === null ? 'n/a' : `${(100 * x.gold.accuracy).toFixed(0)}% of ${x.gold.answered}`}`);
      console.log(`Fleiss' κ ${f(r.agreement.fleiss.kappa)}  Krippendorff's α ${f(r.agreement.krippendorff.alpha)}  (${r.agreement.units} units with ≥ 2 ratings)`);
      for (const c of r.agreement.cohen) console.log(`  Cohen's κ ${c.raterA} × ${c.raterB}: ${f(c.kappa)} on ${c.n} items`);
      for (const c of r.criteria) console.log(`  ${c.criterion.label.padEnd(24)} fails ${(100 * c.failRate).toFixed(0)}%  κ ${f(c.agreement.fleiss.kappa)}  α ${f(c.agreement.krippendorff.alpha)}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
