import { useEffect, useState } from 'react';

/** Client routes are plain paths (/monitor, /incidents/42); the server answers them with index.html. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

export function navigate(to: string) {
  if (to === location.pathname) return;
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** A same-page link: keeps the SPA, still a real <a href> for keyboard, middle-click and copy. */
export function linkProps(to: string) {
  return {
    href: to,
    onClick: (event: { preventDefault: () => void; metaKey: boolean; ctrlKey: boolean; button: number }) => {
      if (event.metaKey || event.ctrlKey || event.button !== 0) return;
      event.preventDefault();
      navigate(to);
    },
  };
}
