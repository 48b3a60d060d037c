// Static assets the server hands out: the rating client, bundled from TypeScript by
// esbuild once per process (it ships with tsx), and the stylesheet.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

let clientJs: string | undefined;
let css: string | undefined;

export function raterClientJs(): string {
  if (clientJs === undefined) {
    const out = buildSync({
      entryPoints: [fileURLToPath(new URL('./rater-client.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
    });
    clientJs = out.outputFiles[0]!.text;
  }
  return clientJs;
}

export function appCss(): string {
  css ??= readFileSync(fileURLToPath(new URL('./app.css', import.meta.url)), 'utf8');
  return css;
}
