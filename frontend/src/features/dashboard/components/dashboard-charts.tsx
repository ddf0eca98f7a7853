import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import type { DashboardSummary } from '@/types/api';

export function CountBars({ rows, label, height = 240 }: { rows: { name: string; value: number }[]; label: string; height?: number }) {
  return (
    <div role="img" aria-label={`${label}: ${rows.map((r) => `${r.name} ${r.value}`).join(', ')}`}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={120} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Bar dataKey="value" name="Assessments" fill="#0f766e" radius={[0, 3, 3, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function SkillMeans({ skills }: { skills: DashboardSummary['skills'] }) {
  const rows = skills.map((s) => ({ name: s.label, value: Number(s.mean.toFixed(1)), count: s.count }));
  return (
    <div role="img" aria-label={`Mean score per skill: ${rows.map((r) => `${r.name} ${r.value}`).join(', ')}`}>
      <ResponsiveContainer width="100%" height={Math.max(160, rows.length * 36 + 40)}>
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" domain={[0, 100]} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={140} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(value, _name, item) => [`${String(value)} (${String((item.payload as { count: number }).count)} scores)`, 'Mean score']} />
          <Bar dataKey="value" name="Mean score" fill="#0072B2" radius={[0, 3, 3, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/**
 * Each question's sessions as one bar: answered, with those who were shown it and went no further stacked on
 * top (amber), so the bar's height is how many reached it and the amber part is the drop-off.
 */
export function Funnel({ funnel }: { funnel: DashboardSummary['funnel'] }) {
  const rows = funnel.map((f, i) => ({ name: `Q${i + 1}`, label: f.label, answered: f.answered, dropped: Math.max(0, f.reached - f.answered) }));
  return (
    <div role="img" aria-label="Reached and answered per question; the table below has the figures">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: -16 }} barCategoryGap={1}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="name" tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
          <Tooltip labelFormatter={(_, payload) => String(payload?.[0]?.payload?.label ?? '')} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="answered" name="Answered" stackId="reached" fill="#0f766e" isAnimationActive={false} />
          <Bar dataKey="dropped" name="Shown, not answered" stackId="reached" fill="#E69F00" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
