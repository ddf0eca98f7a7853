// Sample answers for the routes of open issues (dashboard #13, exports #11, WhatsApp #10), in the
// shapes their contracts give, so the pages built against them can be seen and checked in the browser
// before the APIs land. When a route lands, its mock goes and the run uses the real API.

const now = Date.now();
const iso = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString();
const json = (body, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

const SECTORS = [
  ['agri', 'Agriculture', 41], ['commerce', 'Commerce', 33], ['crafts', 'Crafts', 18], ['ict', 'ICT', 12], ['tourism', 'Tourism', 7],
];
const NAMES = ['Awa Diop', 'Moussa Diallo', 'Fatou Ndiaye', 'Ibrahima Sow', 'Aminata Ba', 'Cheikh Fall', 'Mariama Sy', 'Ousmane Kane'];

export const dashboardSummary = {
  totals: { today: 14, last_7_days: 86, all_time: 111 },
  by_sector: SECTORS.map(([sector, label, count]) => ({ sector, label, count })),
  by_channel: [{ channel: 'web', count: 64 }, { channel: 'whatsapp', count: 47 }],
  skills: [
    { skill: 'digital', label: 'Digital', mean: 58.4 }, { skill: 'numeracy', label: 'Numeracy', mean: 66.1 },
    { skill: 'languages', label: 'Languages', mean: 71.9 }, { skill: 'entrepreneurship', label: 'Entrepreneurship', mean: 49.3 },
    { skill: 'employability', label: 'Employability', mean: 62.7 }, { skill: 'soft_skills', label: 'Soft skills', mean: 74.2 },
  ],
  funnel: Array.from({ length: 12 }, (_, i) => ({ question_id: `q${i}`, code: `q${i}`, label: `Question ${i + 1}`, reached: 140 - i * 3, answered: 137 - i * 3 - (i % 3) })),
  latest: NAMES.map((name, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, respondent_name: name, sector: SECTORS[i % 5][0], channel: i % 3 ? 'web' : 'whatsapp', submitted_at: iso(i * 7 + 1) })),
};

const exportsList = {
  items: [
    { id: 'e3', kind: 'answers', status: 'running', filters: {}, rows: 6200, rows_total: 20000, created_at: iso(1) },
    { id: 'e2', kind: 'assessments', status: 'ready', filters: { sector: 'agri' }, rows: 1000, bytes: 182_000, created_at: iso(90), finished_at: iso(89) },
    { id: 'e1', kind: 'costs', status: 'failed', filters: {}, rows: 0, created_at: iso(600), error: 'timed out' },
  ],
};

export async function installContractMocks(context) {
  await context.route('**/config.json', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...(await response.json()), simulatorUrl: '/api/v1/dev/whatsapp' } });
  });
  await context.route('**/api/v1/dashboard/summary', (route) => route.fulfill(json(dashboardSummary)));
  await context.route('**/api/v1/ws/ticket', (route) => route.fulfill(json({ ticket: 'sample', expires_at: iso(-1) }, 201)));
  await context.routeWebSocket(/\/api\/v1\/ws\/dashboard/, (ws) => {
    ws.onMessage((message) => {
      if (JSON.parse(String(message)).type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  });
  await context.route('**/api/v1/exports', (route) => route.fulfill(json(exportsList)));
  await context.route('**/api/v1/dev/whatsapp', (route) => {
    const text = JSON.parse(route.request().postData() ?? '{}').body ?? '';
    route.fulfill(json({ replies: /^(hi|start)$/i.test(text.trim())
      ? ['Welcome to the skills assessment! It takes about 10 minutes. Your answers are used only to recommend trainings. Reply YES to continue or NO to stop.']
      : ['Q1/21 Do you have access to a computer (home, work, school or cybercafé)?\n1. Yes\n2. No'] }));
  });
}
