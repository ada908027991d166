import { useContext, type Context } from 'react';

/**
 * Reads a context that a provider above the caller must set. A missing provider is a mistake in
 * the component tree, not a state to render, so it throws naming the provider.
 */
export function useProvided<T>(context: Context<T | null>, provider: string): T {
  const value = useContext(context);
  if (!value) throw new Error(`${provider} is missing above this component`);
  return value;
}
