import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from '@/app';
import { loadConfig } from '@/config/env';

import './index.css';

const root = createRoot(document.getElementById('root')!);

function registerServiceWorker() {
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch((error) => console.warn('service worker not registered', error));
  }
}

loadConfig()
  .then(() => {
    registerServiceWorker();
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    root.render(
      <div role="alert" style={{ padding: 32, fontFamily: 'system-ui' }}>
        <h1>The application cannot start</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </div>,
    );
  });
