import { Command, CommanderError } from 'commander';
import { StartupError } from '../app.js';
import { ConfigError } from '../config/load.js';
import { VERSION } from '../version.js';
import { registerAdminCommands } from './admin-commands.js';
import { CliError, EXIT } from './io.js';
import { registerStartCommand } from './start-command.js';
import { registerIngestCommand } from './ingest-command.js';
import { registerRulesCommands } from './rules-commands.js';
import { registerDemoCommand } from '../demo/command.js';

export function buildCli(): Command {
  const program = new Command('vigil')
    .description('Vigil: security operations platform (ingest, detect, investigate, respond)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  program.command('version').description('print the version').action(() => console.log(VERSION));
  registerStartCommand(program);
  registerAdminCommands(program);
  registerIngestCommand(program);
  registerRulesCommands(program);
  registerDemoCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`vigil: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof CliError || e instanceof StartupError) {
      process.stderr.write(`vigil: ${e.message}\n`);
      return e instanceof CliError ? e.exitCode : EXIT.usage;
    }
    process.stderr.write(`vigil: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failed;
  }
}
