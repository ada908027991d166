import { renderErrorDocsFile, renderErrorDocsMarkdown } from '@tollgate/protocol';
import { flagString, parseCommand } from './args.js';
import type { CliIo } from './io.js';

const USAGE = 'Usage: tollgate docs errors [--lang en|zh-CN]\nPrints the error reference generated from the catalog (both languages by default).\n';

export async function docsCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, { lang: { value: true, placeholder: 'LANG', help: 'en or zh-CN' } }, USAGE, io);
  if (!args) return 2;
  if (args.flags.has('help') || args.positionals[0] !== 'errors') {
    io.stdout(USAGE);
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
