// `medloop info`: the engine's build, threads and devices, for bug reports.
import type { Command } from '../command.js';
import { engineInfo } from '../../engine/index.js';

export const infoCommand: Command = {
  path: ['info'],
  summary: 'Show the libtorch engine version, threads and devices',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(opts) {
    const info = engineInfo();
    if (opts.json) console.log(JSON.stringify(info));
    else for (const [k, v] of Object.entries(info)) console.log(`${k.padEnd(12)} ${v}`);
    return 0;
  },
};
