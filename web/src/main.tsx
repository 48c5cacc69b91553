import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api';
import { App, preloadPage } from './App';
import { probablySignedIn, SessionProvider } from './session';
import { applyTheme, initialTheme } from './theme';
import './styles.css';

applyTheme(initialTheme());
if (probablySignedIn()) preloadPage(window.location.hash);

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // A missing route or a refused role will not change on retry.
      retry: (n, e) => !(e instanceof ApiError && [401, 403, 404].includes(e.status)) && n < 2,
      refetchOnWindowFocus: true,
      staleTime: 2_000,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
