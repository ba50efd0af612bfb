#!/usr/bin/env node
/**
 * main: the `capstan` command. It dispatches `capstan <command> …` to the module
 * `./commands/<command>.js` (each exports `run(argv): Promise<number>`), imported only when used
 * so startup stays fast and new commands need no change here.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMAND_NAME = /^[a-z][a-z0-9-]*$/;

/** CommandModule is the contract of every file in commands/. */
export interface CommandModule {
  run(argv: string[]): Promise<number>;
  /** summary is the one-line description shown by `capstan --help`. */
  summary?: string;
}

function commandsDir(): string {
  return dirname(fileURLToPath(import.meta.url)) + '/commands';
}

function listCommands(): string[] {
  try {
    return readdirSync(commandsDir())
      .filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.(js|ts)$/.test(f))
      .map((f) => f.replace(/\.(js|ts)$/, ''))
      .filter((n, i, a) => COMMAND_NAME.test(n) && a.indexOf(n) === i)
      .sort();
  } catch {
    return [];
  }
}

function usage(): string {
  return [
    'capstan: a Helm 4-compatible chart renderer and HelmRelease operator',
    '',
    'Usage:',
    '  capstan <command> [flags]',
    '',
    'Available commands:',
    ...listCommands().map((c) => `  ${c}`),
    '',
    'Use "capstan <command> --help" for more information about a command.',
    '',
  ].join('\n');
}

/** main runs one capstan invocation and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const name = cmd === '--version' ? 'version' : cmd;
  if (!COMMAND_NAME.test(name) || !listCommands().includes(name)) {
    process.stderr.write(`Error: unknown command "${cmd}" for "capstan"\nRun 'capstan --help' for usage.\n`);
    return 1;
  }
  const mod = (await import(`./commands/${name}.js`)) as CommandModule;
  return mod.run(rest);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
