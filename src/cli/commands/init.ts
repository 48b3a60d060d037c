// `medloop init DIR`: a new workspace with a commented config holding every default.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { initWorkspace } from '../../workspace/workspace.js';

export const initCommand: Command = {
  path: ['init'],
  summary: 'Create a workspace: medloop.yaml, medloop.db and runs/',
  options: {},
  positionals: ['dir'],
  async run(_opts, positionals) {
    const dir = positionals[0];
    if (!dir) throw new UsageError('give the workspace folder, e.g. `medloop init my-study`');
    const ws = initWorkspace(dir);
    console.log(`workspace ready: ${ws.dir}\n  config  ${ws.configFile}\n  db      ${ws.dbPath}\n  runs    ${ws.runsDir}`);
    ws.close();
    return 0;
  },
};
