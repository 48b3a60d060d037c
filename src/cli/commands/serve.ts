// `medloop serve`: the expert feedback web app for a workspace. Prints the admin link and
// every rater's personal link, then serves until interrupted.
import { networkInterfaces } from 'node:os';
import { type Command, numberOption, stringOption, UsageError } from '../command.js';
import { adminLink, buildServer, raterLink } from '../../feedback/index.js';
import { DEFAULT_PORT, openWorkspaceStore, workspaceOption } from './study-common.js';

/** A host raters can reach when the server listens on every interface. */
function linkHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Serve the expert rating app (rater and admin links are printed)',
  options: {
    workspace: workspaceOption,
    port: { type: 'string', description: 'TCP port (0 = any free port)', default: String(DEFAULT_PORT) },
    host: { type: 'string', description: 'interface to listen on (0.0.0.0 for other machines, e.g. tablets)', default: '127.0.0.1' },
    'public-url': { type: 'string', description: 'base URL for printed links when behind a proxy (e.g. https://review.example.org)' },
  },
  async run(opts) {
    const port = numberOption(opts, 'port', DEFAULT_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${port}`);
    const host = stringOption(opts, 'host') ?? '127.0.0.1';
    const store = openWorkspaceStore(opts);
    const admin = store.ensureAdmin();
    const publicUrl = stringOption(opts, 'public-url');
    const app = await buildServer({ store, ...(publicUrl ? { publicUrl } : {}) });
    await app.listen({ port, host });
    const addr = app.server.address();
    const actualPort = typeof addr === 'object' && addr ? addr.port : port;
    const base = (publicUrl ?? `http://${linkHost(host)}:${actualPort}`).replace(/\/+$/, '');
    const lines = [`medloop feedback server on http://${host.includes(':') ? `[${host}]` : host}:${actualPort} (workspace ${store.workspaceDir})`, '', `Admin:  ${adminLink(base, admin.token)}`];
    const raters = store.listRaters({ role: 'rater' });
    if (raters.length) {
      lines.push('', 'Rater links (personal; send each rater only their own):');
      const width = Math.max(...raters.map((r) => r.name.length));
      for (const r of raters) {
        let link: string;
        try {
          link = raterLink(base, store.tokenFor(r.id));
        } catch {
          link = `(workspace key changed: run \`medloop study raters --reissue ${r.name}\`)`;
        }
        const studies = store.raterStudies(r.id).map((s) => s.name);
        lines.push(`  ${r.name.padEnd(width)}  ${link}${studies.length ? `  [${studies.join(', ')}]` : ''}${r.simulated ? '  (simulated)' : ''}`);
      }
    } else lines.push('', 'No raters yet: create a study with `medloop study create … --raters a,b,c` or on the admin page.');
    lines.push('', 'Press Ctrl+C to stop.');
    console.log(lines.join('\n'));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await app.close();
    store.close();
    return 0;
  },
};
