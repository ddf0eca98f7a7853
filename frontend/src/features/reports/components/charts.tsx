import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import type { SectorReports, SkillReports } from '@/types/api';

// Colour-blind-safe palette (Okabe-Ito), in a fixed order so a skill keeps its colour across charts.
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Mean score per skill for each sector, grouped bars. */
export function SectorSkillChart({ data }: { data: SectorReports }) {
  const skills = [...new Map(data.sectors.flatMap((s) => s.skills.map((k) => [k.skill, k.label] as const))).entries()];
  const rows = data.sectors.map((s) => ({
    name: s.label,
    ...Object.fromEntries(s.skills.map((k) => [k.skill, Number(k.mean.toFixed(1))])),
  }));
  return (
    <ResponsiveContainer width="100%" height={320}>
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 8, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="name" tick={{ fontSize: 12 }} interval={0} angle={-15} textAnchor="end" height={50} />
        <YAxis domain={[0, 100]} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {skills.map(([code, label], i) => (
          <Bar key={code} dataKey={code} name={label} fill={PALETTE[i % PALETTE.length]} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

const BUCKETS = ['0–10', '10–20', '20–30', '30–40', '40–50', '50–60', '60–70', '70–80', '80–90', '90–100'];

/** How scores of one skill spread over ten 10-point buckets. */
export function DistributionChart({ skill }: { skill: SkillReports['skills'][number] }) {
  const rows = skill.distribution.map((count, i) => ({ bucket: BUCKETS[i] ?? String(i), count }));
  return (
    <ResponsiveContainer width="100%" height={180}>
      <BarChart data={rows} margin={{ top: 4, right: 4, bottom: 0, left: -24 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="bucket" tick={{ fontSize: 10 }} interval={1} />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
        <Tooltip />
        <Bar dataKey="count" name="Assessments" fill="#0f766e" radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
