/**
 * The finance API as issue #9 specifies it; not in the OpenAPI document yet. Amounts are decimal strings.
 */
export type GroupBy = 'route' | 'function' | 'channel' | 'day' | 'sector';
export type CostGroup = { key: string; requests: number; direct_usd: string; shared_usd: string; total_usd: string };
export type CostSummary = { from: string; to: string; group_by: GroupBy; groups: CostGroup[]; totals: Omit<CostGroup, 'key'> };
export type PerAssessmentRow = { key: string; assessments: number; mean_usd: string; median_usd: string; p95_usd: string };
export type PerAssessment = { by_channel: PerAssessmentRow[]; by_sector: PerAssessmentRow[] };
