import { useState, type ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router';

import { useOnline } from '@/hooks/use-online';
import type { UserPublic } from '@/types/api';
import { cn } from '@/utils/cn';
import { titleCase } from '@/utils/format';

import { Icon, type IconName } from './icons';

export type NavItem = { to: string; label: string; icon: IconName; badge?: ReactNode };

function NavList({ items, onNavigate }: { items: NavItem[]; onNavigate?: () => void }) {
  return (
    <ul className="space-y-1">
      {items.map((item) => (
        <li key={item.to}>
          <NavLink
            to={item.to}
            onClick={onNavigate}
            className={({ isActive }) =>
              cn(
                'flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors',
                isActive ? 'bg-brand-700 text-white' : 'text-slate-300 hover:bg-white/10 hover:text-white',
              )
            }
          >
            <Icon name={item.icon} />
            <span className="flex-1">{item.label}</span>
            {item.badge}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

function Sidebar({ items, user, onSignOut, onNavigate }: {
  items: NavItem[];
  user: UserPublic;
  onSignOut: () => void;
  onNavigate?: () => void;
}) {
  return (
    <div className="flex h-full flex-col bg-slate-900 px-3 py-4">
      <div className="mb-6 flex items-center gap-2.5 px-2">
        <img src="/favicon.svg" alt="" className="size-8" />
        <span className="text-sm font-semibold leading-tight text-white">Skills Assessment<br />Platform</span>
      </div>
      <nav aria-label="Main" className="flex-1 overflow-y-auto">
        <NavList items={items} onNavigate={onNavigate} />
      </nav>
      <div className="mt-4 border-t border-white/10 pt-4">
        <NavLink to="/account/security" onClick={onNavigate}
          className="block rounded-lg px-3 py-2 hover:bg-white/10">
          <p className="truncate text-sm font-medium text-white">{user.full_name || user.email}</p>
          <p className="truncate text-xs text-slate-400">{titleCase(user.role)} · {user.email}</p>
        </NavLink>
        <button type="button" onClick={onSignOut}
          className="mt-1 flex w-full items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium text-slate-300 hover:bg-white/10 hover:text-white">
          <Icon name="signOut" />
          Sign out
        </button>
      </div>
    </div>
  );
}

/** The signed-in frame: a sidebar on wide screens, a top bar with a drawer on phones. */
export function AppLayout({ items, user, onSignOut, banner }: {
  items: NavItem[];
  user: UserPublic;
  onSignOut: () => void;
  banner?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const online = useOnline();
  return (
    <div className="min-h-full lg:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-lg focus:bg-white focus:px-4 focus:py-2">
        Skip to content
      </a>
      {/* The column carries the background down the whole page (however long); the menu in it stays in view. */}
      <aside className="hidden w-64 shrink-0 bg-slate-900 lg:block">
        <div className="sticky top-0 h-screen">
          <Sidebar items={items} user={user} onSignOut={onSignOut} />
        </div>
      </aside>
      {open && (
        <div className="fixed inset-0 z-40 lg:hidden" role="dialog" aria-modal="true" aria-label="Menu">
          <button type="button" className="absolute inset-0 bg-slate-900/50" aria-label="Close menu" onClick={() => setOpen(false)} />
          <div className="absolute inset-y-0 left-0 w-72 max-w-[85%]">
            <Sidebar items={items} user={user} onSignOut={onSignOut} onNavigate={() => setOpen(false)} />
          </div>
        </div>
      )}
      <div className="min-w-0 flex-1">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-slate-200 bg-white/90 px-4 backdrop-blur lg:hidden">
          <button type="button" className="-ml-1 rounded-lg p-2 text-slate-700 hover:bg-slate-100" aria-label="Open menu"
            aria-expanded={open} onClick={() => setOpen(true)}>
            <Icon name="menu" />
          </button>
          <span className="flex-1 text-sm font-semibold">Skills Assessment Platform</span>
        </header>
        {!online && (
          <div role="status" className="bg-amber-100 px-4 py-2 text-center text-sm font-medium text-amber-900">
            You are offline. Finished assessments are kept on this device and sent when the connection returns.
          </div>
        )}
        {banner}
        <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
