import { useMemo, type ComponentType } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';

import { LoadingState } from '@/components/ui/states';
import { homeFor, useUser } from '@/lib/auth';

import { AppRoot } from './routes/app-root';
import { RouteError } from './routes/route-error';

type Module = { default: ComponentType };
/** Each page is its own chunk, fetched when first visited: the first screen loads only what it shows. */
const page = (load: () => Promise<Module>): Pick<RouteObject, 'lazy'> => ({
  lazy: () => load().then((m) => ({ Component: m.default })),
});

function Home() {
  const user = useUser();
  return <Navigate to={homeFor(user)} replace />;
}

export const routes: RouteObject[] = [
  { path: '/sign-in', errorElement: <RouteError />, hydrateFallbackElement: <LoadingState />, ...page(() => import('./routes/sign-in')) },
  { path: '/sign-up', errorElement: <RouteError />, hydrateFallbackElement: <LoadingState />, ...page(() => import('./routes/sign-up')) },
  {
    element: <AppRoot />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <LoadingState />,
    children: [
      { index: true, element: <Home /> },
      { path: 'dashboard', ...page(() => import('./routes/dashboard')) },
      { path: 'assessments', ...page(() => import('./routes/assessments')) },
      { path: 'assessments/:assessmentId', ...page(() => import('./routes/assessment')) },
      { path: 'respondents', ...page(() => import('./routes/respondents')) },
      { path: 'respondents/:respondentId', ...page(() => import('./routes/respondent')) },
      { path: 'fieldwork', ...page(() => import('./routes/fieldwork')) },
      { path: 'questionnaires', ...page(() => import('./routes/questionnaires')) },
      { path: 'questionnaires/:questionnaireId', ...page(() => import('./routes/questionnaire')) },
      { path: 'questionnaires/:questionnaireId/versions/:version', ...page(() => import('./routes/questionnaire-version')) },
      { path: 'reports', ...page(() => import('./routes/reports')) },
      { path: 'exports', ...page(() => import('./routes/exports')) },
      { path: 'costs', ...page(() => import('./routes/costs')) },
      { path: 'users', ...page(() => import('./routes/users')) },
      { path: 'audit', ...page(() => import('./routes/audit')) },
      { path: 'simulator', ...page(() => import('./routes/simulator')) },
      { path: 'account/security', ...page(() => import('./routes/security')) },
      { path: '*', ...page(() => import('./routes/not-found')) },
    ],
  },
];

export function AppRouter() {
  const router = useMemo(() => createBrowserRouter(routes), []);
  return <RouterProvider router={router} />;
}
