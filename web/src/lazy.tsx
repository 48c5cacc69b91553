/**
 * Code-split components, loaded without Suspense. React 19 holds back content that replaces a
 * Suspense fallback until 300 ms after the fallback appeared (its fallback throttle): on a
 * localhost first load that wait was the largest single cost, more than all fetches together.
 * Loading outside React and rendering the component once it is there costs only the fetch, and
 * lets the app start fetching a page before the session check has answered.
 */
import { useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { ErrorState, Loading } from './components/States';

export interface LazyComponent<P> {
  /** Starts loading (once; again after a failure) and resolves to the component. */
  preload(): Promise<ComponentType<P>>;
  /** The component, once loaded. */
  loaded(): ComponentType<P> | undefined;
}

export function lazyComponent<P>(load: () => Promise<{ default: ComponentType<P> }>): LazyComponent<P> {
  let component: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return {
    preload() {
      pending ??= load().then(
        (m) => (component = m.default),
        (e: unknown) => {
          pending = undefined;
          throw e;
        },
      );
      return pending;
    },
    loaded: () => component,
  };
}

/** Renders `render(Component)` once `of` is loaded, a loading state meanwhile, an error if it fails. */
export function Lazy<P>({
  of,
  render,
}: {
  of: LazyComponent<P>;
  render: (C: ComponentType<P>) => ReactNode;
}) {
  const [state, setState] = useState<{ of?: LazyComponent<P>; error?: unknown; attempt: number }>({
    attempt: 0,
  });
  useEffect(() => {
    if (of.loaded()) return;
    let live = true;
    of.preload().then(
      () => live && setState((s) => ({ of, attempt: s.attempt })),
      (error: unknown) => live && setState((s) => ({ of, error, attempt: s.attempt })),
    );
    return () => {
      live = false;
    };
  }, [of, state.attempt]);
  const C = of.loaded();
  if (C) return render(C);
  if (state.of === of && state.error !== undefined)
    return (
      <ErrorState
        error={state.error}
        what="This page"
        retry={() => setState((s) => ({ attempt: s.attempt + 1 }))}
      />
    );
  return <Loading />;
}
