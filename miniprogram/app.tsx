import './services/zodNoEval';
import type { PropsWithChildren } from 'react';
import './app.scss';

function App({ children }: PropsWithChildren) {
  // Each page decides on its own whether it needs a session; the shell only hosts them.
  return children;
}

export default App;
