import { useState } from 'react';
import { errorMessage } from './api';
import { toast } from './useMe';

/**
 * One change a page makes at a time: `run` marks the page busy, does the work, toasts `done`, reloads
 * what the page shows and answers whether it went through; a failure becomes the page's action error.
 */
export function useAction(reload: () => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();
  const run = async (work: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await work();
      if (done) toast(done);
      await reload();
      return true;
    } catch (err) {
      setActionError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, actionError, setActionError, run };
}
