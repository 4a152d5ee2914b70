/** The document's theme (light/dark) as a key: charts read colours from CSS variables once, so they are rebuilt when it changes. */
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
