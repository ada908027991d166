/**
 * A titled section over something loaded that the viewer changes (a setting, a project's limits
 * or members): the heading labels the section, the load's or the last change's failure is
 * announced, and the body shows once the data has come.
 */
import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n/messages';
import type { ApiError } from '../lib/api';
import { ErrorNote } from './ui';
import type { Loaded } from './use-load';

export function LoadedSection<T>({
  id,
  title,
  level,
  intro,
  loaded,
  change,
  explain,
  children,
}: {
  /** The heading's element id, which labels the section. */
  id: string;
  title: string;
  /** 2 for a section of a page, 3 for one inside a page's section (a project's details). */
  level: 2 | 3;
  /** What the section is for, between the heading and an error. */
  intro?: ReactNode;
  loaded: Loaded<T>;
  /** The change (useAction) whose failure is shown when the load did not fail. */
  change: { error: unknown };
  /** The sentence for a refusal of the change the section expects (ErrorNote's `explain`). */
  explain?: (e: ApiError) => MessageKey | undefined;
  children: (data: T) => ReactNode;
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={id}>
      <Heading id={id}>{title}</Heading>
      {intro}
      <ErrorNote error={loaded.error ?? change.error} {...(explain ? { explain } : {})} />
      {loaded.data !== undefined ? children(loaded.data) : null}
    </section>
  );
}
