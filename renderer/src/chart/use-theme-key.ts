/** The document's theme as a key that changes when the user switches light/dark: charts read their colours from CSS variables once, so they are rebuilt on a change. */
import { useEffect, useState } from 'preact/hooks';

export function useThemeKey(): string {
  const [key, setKey] = useState(document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const mo = new MutationObserver(() => {
      setKey(document.documentElement.dataset.theme ?? '');
    });
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      mo.disconnect();
    };
  }, []);
  return key;
}
