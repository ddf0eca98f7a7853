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
  const rows = skills.map((s) => ({ name: s.label, value: Number(s.mean.toFixed(1)) }));
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="name" tick={{ fontSize: 12 }} />
        <YAxis domain={[0, 100]} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Bar dataKey="value" name="Mean score" fill="#0072B2" radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** How many reached each question and how many answered it: where respondents drop off. */
export function Funnel({ funnel }: { funnel: DashboardSummary['funnel'] }) {
  const rows = funnel.map((f) => ({ name: `Q${f.position}`, label: f.label, reached: f.reached, answered: f.answered }));
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="name" tick={{ fontSize: 11 }} />
        <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
        <Tooltip labelFormatter={(_, payload) => String(payload?.[0]?.payload?.label ?? '')} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="reached" name="Reached" fill="#94a3b8" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        <Bar dataKey="answered" name="Answered" fill="#0f766e" radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
