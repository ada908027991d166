import { renderErrorDocsFile, renderErrorDocsMarkdown } from '@tollgate/protocol';
import { parseArgs, flagString } from './args.js';
import type { CliIo } from './main.js';

export async function docsCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['help']);
  if (args.flags.has('help') || args.positionals[0] !== 'errors') {
    io.stdout('Usage: tollgate docs errors [--lang en|zh-CN]\nPrints the error reference generated from the catalog (both languages by default).\n');
    return args.flags.has('help') ? 0 : 2;
  }
  const lang = flagString(args, 'lang');
  if (lang !== undefined && lang !== 'en' && lang !== 'zh-CN') {
    io.stderr(`tollgate docs: --lang must be en or zh-CN, got ${JSON.stringify(lang)}\n`);
    return 2;
  }
  io.stdout(lang ? renderErrorDocsMarkdown(lang) : renderErrorDocsFile());
  return 0;
}
