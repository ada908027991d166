export * from './entry.js';
export * from './render.js';
export * from './mask.js';
export { CATALOG, entry, findEntry, isErrorId, matchEntry, type ErrorId } from './catalog/index.js';
export { renderErrorDocsFile, renderErrorDocsHtml, renderErrorDocsMarkdown } from './docs.js';
