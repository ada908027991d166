/**
 * Keeps keyboard focus in the page when what had it goes away: a row's button whose row an action
 * removed (a revoked key, an approved request), a form that its own submission replaced (a quota
 * request sent, two-factor sign-in confirmed). The browser would drop focus to the top of the
 * document, so the next Tab starts again at the skip link and a screen reader says nothing of where
 * the person is. Focus moves instead to the heading of the section the element was in, or when the
 * section went too, to the page's heading: the next Tab continues from there. A button disabled
 * while its action runs loses focus the same way (the browser blurs a disabled element): it gets
 * it back when it is enabled again, the action's outcome said beside it.
 */
import { useEffect } from 'react';

/** The heading focus falls back to from `section`, made focusable by script only (tabIndex -1). */
function headingOf(root: ParentNode | null): HTMLElement | null {
  const h = root?.querySelector<HTMLElement>('h1, h2, h3') ?? null;
  if (h && !h.hasAttribute('tabindex')) h.tabIndex = -1;
  return h;
}

/** Keeps focus inside `root` (the page's <main>; null while it is not rendered). */
export function useKeptFocus(root: HTMLElement | null): void {
  useEffect(() => {
    if (!root) return;
    let last: { el: HTMLElement; section: HTMLElement | null } | undefined;
    const onFocusIn = (e: FocusEvent) => {
      const el = e.target instanceof HTMLElement ? e.target : null;
      last = el ? { el, section: el.parentElement?.closest('section') ?? null } : undefined;
    };
    const observer = new MutationObserver((records) => {
      if (!last) return;
      // Only when nothing else took focus meanwhile (a dialog handing it back, a field focused by a page).
      const dropped = document.activeElement === null || document.activeElement === document.body;
      const el = last.el;
      if (el.isConnected) {
        const enabled = records.some((r) => r.type === 'attributes' && r.target === el) && !(el as HTMLButtonElement).disabled;
        if (dropped && enabled) el.focus();
        return;
      }
      const lost = last;
      last = undefined;
      if (!dropped) return;
      const target = (lost.section?.isConnected ? headingOf(lost.section) : null) ?? headingOf(root) ?? root;
      target.focus();
    });
    root.addEventListener('focusin', onFocusIn);
    observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
    return () => {
      root.removeEventListener('focusin', onFocusIn);
      observer.disconnect();
    };
  }, [root]);
}
