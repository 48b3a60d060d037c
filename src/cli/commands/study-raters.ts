// `medloop study raters`: list rater links, add raters to a study, or revoke a link.
import { type Command, stringOption, UsageError } from '../command.js';
import { addRatersToStudy, raterLink } from '../../feedback/index.js';
import { DEFAULT_PORT, listOption, openWorkspaceStore, requireStudy, workspaceOption } from './study-common.js';

export const studyRatersCommand: Command = {
  path: ['study', 'raters'],
  summary: 'List rater links, add raters to a study (--study, --add), or reissue a revoked link',
  options: {
    workspace: workspaceOption,
    study: { type: 'string', description: 'study to add raters to' },
    add: { type: 'string', description: 'comma-separated rater names to add to --study' },
    reissue: { type: 'string', description: "rater name whose link is replaced (the old one stops working)" },
    'base-url': { type: 'string', description: 'base of the printed links', default: `http://127.0.0.1:${DEFAULT_PORT}` },
  },
  async run(opts) {
    const store = openWorkspaceStore(opts);
    try {
      const base = (stringOption(opts, 'base-url') ?? `http://127.0.0.1:${DEFAULT_PORT}`).replace(/\/+$/, '');
      const add = listOption(opts, 'add');
      if (add.length) {
        const study = requireStudy(store, stringOption(opts, 'study', true));
        for (const l of addRatersToStudy(store, study.id, add, { actor: 'cli' })) console.log(`${l.rater.name}  ${raterLink(base, l.token)}${l.created ? '  (new)' : ''}`);
        return 0;
      }
      const reissue = stringOption(opts, 'reissue');
      if (reissue) {
        const rater = store.findRater(reissue);
        if (!rater) throw new UsageError(`--reissue: no rater '${reissue}'`);
        console.log(`${rater.name}  ${raterLink(base, store.reissueToken(rater.id, 'cli'))}`);
        return 0;
      }
      for (const r of store.listRaters({ role: 'rater' })) {
        let link: string;
        try {
          link = raterLink(base, store.tokenFor(r.id));
        } catch {
          link = '(key changed: --reissue)';
        }
        console.log(`${r.name}  ${link}  [${store.raterStudies(r.id).map((s) => s.name).join(', ')}]`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
