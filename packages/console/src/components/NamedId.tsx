/**
 * An object shown by its name, with its id under it (and in the title, to hover or copy), and
 * what else tells it apart (a member's email, a key's project): the Usage table's groups, the
 * Requests page's project and key. A name always comes with its id, so two of the same name stay
 * apart and the id a support report or the API asks for is at hand.
 */
import type { ReactNode } from 'react';

export function NamedId({ id, name, about = [] }: { id: string; name: ReactNode; about?: readonly string[] }) {
  return (
    <span className="named-id" title={id}>
      <span data-name>{name}</span>
      <small className="muted">
        <code>{id}</code>
        {about.map((a) => ` · ${a}`).join('')}
      </small>
    </span>
  );
}
