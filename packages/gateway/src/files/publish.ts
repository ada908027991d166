/**
 * Creating a file that other processes may look for at the same moment (gateways starting at once
 * on one data directory). An exclusive create (`O_CREAT|O_EXCL`) makes the name visible before
 * the content is written, so a process that finds the name can read it empty or in part. Here the
 * content is written to a private temporary file and published with link(2), which is atomic and
 * fails when the name exists: a process that finds the name always finds the whole content.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Creates `path` holding `content` (file mode `mode`) unless it exists.
 * @returns true when this call created it; false when the name already existed (nothing changed).
 * @throws the file system's error for anything else (ENOENT for a missing directory, EACCES, …).
 */
export function publishFileExclusive(path: string, content: string, mode = 0o600): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}
