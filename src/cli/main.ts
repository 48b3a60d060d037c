// `medloop` entry: finds the sub-command, parses its declared options, prints help and usage errors.
import { parseArgs } from 'node:util';
import { type Command, UsageError } from './command.js';
import { commands } from './commands/index.js';

function helpText(): string {
  const lines = ['medloop — expert-in-the-loop alignment of synthetic medical images', '', 'Commands:'];
  for (const c of commands) lines.push(`  medloop ${c.path.join(' ').padEnd(22)} ${c.summary}`);
  lines.push('', 'Run `medloop <command> --help` for its options.');
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`medloop ${c.path.join(' ')}${c.positionals ? ' ' + c.positionals.map((p) => `<${p}>`).join(' ') : ''}`, '', c.summary, '', 'Options:'];
  for (const [name, spec] of Object.entries(c.options)) {
    const flag = spec.type === 'string' ? `--${name} <value>` : `--${name}`;
    const def = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    lines.push(`  ${flag.padEnd(26)} ${spec.description}${def}`);
  }
  return lines.join('\n');
}

/** Longest command path that prefixes argv wins, so `study simulate` beats `study`. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(helpText());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`medloop: unknown command '${argv[0]}'\n\n${helpText()}`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
    for (const [k, spec] of Object.entries(command.options)) {
      options[k] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const values = { ...parsed.values } as Record<string, string | boolean | string[] | undefined>;
    for (const [k, spec] of Object.entries(command.options)) if (values[k] === undefined && spec.default !== undefined) values[k] = spec.default;
    return await command.run(values, parsed.positionals);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`medloop ${command.path.join(' ')}: ${e.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    const err = e as Error;
    console.error(`medloop ${command.path.join(' ')}: ${err.message}`);
    if (process.env.MEDLOOP_DEBUG) console.error(err.stack);
    return 1;
  }
}
