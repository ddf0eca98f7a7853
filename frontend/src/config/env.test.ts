import { describe, expect, it } from 'vitest';

import { loadConfig, parseConfig } from './env';

describe('config.json', () => {
  it('accepts what the local gateway serves', () => {
    const config = parseConfig({ apiBase: '', wsUrl: 'ws://127.0.0.1:8000/api/v1/ws/dashboard', environment: 'local', simulatorUrl: null });
    expect(config.wsUrl).toBe('ws://127.0.0.1:8000/api/v1/ws/dashboard');
  });

  it('accepts what the AWS deployment writes before it has a WebSocket API', () => {
    const config = parseConfig({ apiBase: 'https://abc.execute-api.us-east-1.amazonaws.com', environment: 'prod' });
    expect(config.wsUrl).toBeUndefined();
  });

  it('names every field that is wrong', () => {
    expect(() => parseConfig({ apiBase: 3, wsUrl: 'http://x', environment: 'local' })).toThrow(/apiBase.*wsUrl|wsUrl.*apiBase/s);
  });

  it('fails with the HTTP status when the file cannot be read', async () => {
    const fetcher = async () => new Response('nope', { status: 404 });
    await expect(loadConfig(fetcher as typeof fetch)).rejects.toThrow('HTTP 404');
  });
});
