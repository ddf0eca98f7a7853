// Sample answers for the routes of open issues (exports #11), in the shapes their contracts give, so the
// pages built against them can be seen and checked in the browser before the APIs land. When a route
// lands, its mock goes and the run uses the real API.

const now = Date.now();
const iso = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString();
const json = (body, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

const exportsList = {
  items: [
    { id: 'e3', kind: 'answers', status: 'running', filters: {}, rows: 6200, rows_total: 20000, created_at: iso(1) },
    { id: 'e2', kind: 'assessments', status: 'ready', filters: { sector: 'agri' }, rows: 1000, bytes: 182_000, created_at: iso(90), finished_at: iso(89) },
    { id: 'e1', kind: 'costs', status: 'failed', filters: {}, rows: 0, created_at: iso(600), error: 'timed out' },
  ],
};

export async function installContractMocks(context) {
  await context.route('**/api/v1/exports', (route) => route.fulfill(json(exportsList)));
}
