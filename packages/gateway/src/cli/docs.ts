import { renderErrorDocsFile, renderErrorDocsMarkdown } from '@tollgate/protocol';
import { UsageError } from './args.js';
import type { Args } from './command.js';
import type { CliIo } from './io.js';

/** `tollgate docs errors [--lang en|zh-CN]`: the error reference as Markdown on stdout. */
export async function docsCommand(a: Args, io: CliIo): Promise<number> {
  const lang = a.str('lang');
  if (lang !== undefined && lang !== 'en' && lang !== 'zh-CN') throw new UsageError(`--lang must be en or zh-CN, got ${JSON.stringify(lang)}`);
  io.stdout(lang ? renderErrorDocsMarkdown(lang) : renderErrorDocsFile());
  return 0;
}
