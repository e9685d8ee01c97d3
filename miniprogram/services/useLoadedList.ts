import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { errorMessage } from './api';

/**
 * A list a page loads once the signed-in person may see it (`ready`), with a refresh for after a
 * change and the setter for local edits. A failed load is reported through `onError`.
 */
export function useLoadedList<T>(
  ready: boolean,
  load: () => Promise<{ items: T[] }>,
  onError: (message: string) => void,
): [T[] | undefined, () => Promise<void>, Dispatch<SetStateAction<T[] | undefined>>] {
  const [items, setItems] = useState<T[]>();
  const refresh = async () => {
    try {
      setItems((await load()).items);
    } catch (err) {
      onError(errorMessage(err));
    }
  };
  useEffect(() => {
    if (ready) void refresh();
    // Loads when the page becomes ready; `refresh` is a new function each render, not a new input.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);
  return [items, refresh, setItems];
}
