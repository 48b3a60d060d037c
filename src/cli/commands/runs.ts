// `medloop runs`: the workspace's run registry, newest last, with lineage on request.
import type { Command } from '../command.js';
import { stringOption } from '../command.js';
import { openWorkspace } from '../../workspace/workspace.js';

export const runsCommand: Command = {
  path: ['runs'],
  summary: 'List the runs of a workspace (kind, parent, status)',
  options: {
    workspace: { type: 'string', description: 'workspace folder', default: '.' },
    kind: { type: 'string', description: 'only runs of this kind (pretrain, align, reward, …)' },
    lineage: { type: 'string', description: 'show the chain from this run to its root' },
    json: { type: 'boolean', description: 'print JSON' },
  },
  async run(opts) {
    const ws = openWorkspace(stringOption(opts, 'workspace', true));
    try {
      const lineageOf = stringOption(opts, 'lineage');
      const runs = lineageOf ? ws.runs.lineage(lineageOf) : ws.runs.list(stringOption(opts, 'kind'));
      if (opts.json) {
        console.log(JSON.stringify(runs));
        return 0;
      }
      if (runs.length === 0) console.log('no runs yet');
      for (const r of runs) console.log(`${r.id.padEnd(30)} ${r.kind.padEnd(10)} ${r.status.padEnd(9)} parent=${r.parentId ?? '-'}  ${r.createdAt}`);
      return 0;
    } finally {
      ws.close();
    }
  },
};
