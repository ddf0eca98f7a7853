/**
 * The dashboard summary as issue #13 specifies it ("totals (today, 7 days, all time), by sector, by
 * channel, mean per skill, the completion funnel per question, the last 20 submissions"). GET
 * /api/v1/dashboard/summary is not in the OpenAPI document yet: when it lands, these names are replaced
 * by the generated types and the differences show up as type errors.
 */
export type DashboardSummary = {
  totals: { today: number; last_7_days: number; all_time: number };
  by_sector: { sector: string; label: string; count: number }[];
  by_channel: { channel: string; count: number }[];
  skills: { skill: string; label: string; mean: number }[];
  funnel: { question_id: string; code: string; label: string; reached: number; answered: number }[];
  latest: { id: string; respondent_name: string; sector: string; channel: string; submitted_at: string }[];
};
