/**
 * Names for the generated OpenAPI types (api.gen.ts, written by `npm run gen:api` from the backend's
 * OpenAPI document; never edited by hand).
 */
import type { components, operations, paths } from './api.gen';

export type { components, operations, paths };

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type UserPublic = Schemas['UserPublic'];
export type TokenPair = Schemas['TokenPair'];
export type MfaRequired = Schemas['MfaRequired'];
export type TwoFactorSetup = Schemas['TwoFactorSetup'];
export type RecoveryCodes = Schemas['RecoveryCodes'];
export type InvitationPublic = Schemas['InvitationPublic'];
export type AuditPublic = Schemas['AuditPublic'];
export type AssessmentSummary = Schemas['AssessmentSummary'];
export type AssessmentDetail = Schemas['AssessmentDetail'];
export type AssessmentPage = Schemas['AssessmentPage'];
export type RespondentOut = Schemas['RespondentOut'];
export type RespondentNew = Schemas['RespondentNew'];
export type SubmissionCreate = Schemas['SubmissionCreate'];
export type SubmissionResult = Schemas['SubmissionResult'];
export type AnswerIn = Schemas['AnswerIn'];
export type AnswerOut = Schemas['AnswerOut'];
export type QuestionPublic = Schemas['QuestionPublic'];
export type QuestionsPublic = Schemas['QuestionsPublic'];
export type QuestionDef = Schemas['QuestionDef'];
export type QuestionnairePublic = Schemas['QuestionnairePublic'];
export type VersionSummary = Schemas['VersionSummary'];
export type ImportResult = Schemas['ImportResult'];
export type SectorPublic = Schemas['SectorPublic'];
export type SectorReports = Schemas['SectorReports'];
export type SkillReports = Schemas['SkillReports'];
export type ErrorDetail = Schemas['ErrorDetail'];

export type Lang = 'en' | 'fr';

/** Query parameters of an operation, e.g. `QueryOf<'list_assessments_api_v1_assessments_get'>`. */
export type QueryOf<K extends keyof operations> = operations[K]['parameters'] extends { query?: infer Q }
  ? NonNullable<Q>
  : never;
export type CostSummary = Schemas['CostSummary'];
export type CostGroup = Schemas['CostGroup'];
export type PerAssessmentCosts = Schemas['PerAssessmentCosts'];
export type PerAssessmentGroup = Schemas['PerAssessmentGroup'];
export type CostRequestPublic = Schemas['CostRequestPublic'];
export type DashboardSummary = Schemas['DashboardSummary'];
export type TicketOut = Schemas['TicketOut'];
