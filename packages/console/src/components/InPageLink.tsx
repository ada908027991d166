/**
 * A link to an element of the page in view (`#id`). A bare "#id" would resolve against the
 * `<base href>` the gateway writes (the console's root, another page); this one keeps the path in
 * view, so the browser only scrolls to the element.
 */
import type { ReactNode } from 'react';
import { useLocation } from 'react-router';

export function InPageLink({ id, children }: { id: string; children: ReactNode }) {
  // Read for its updates: the href follows the page in view.
  useLocation();
  return <a href={`${window.location.pathname}${window.location.search}#${id}`}>{children}</a>;
}
