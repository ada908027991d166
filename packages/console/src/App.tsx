/** Routes of the console, under the base path the gateway serves it at. */
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ConfigProvider } from './config';
import { I18nProvider } from './i18n/i18n';
import { basePath } from './lib/base';
import { SessionProvider } from './session';
import { RequireRole, Shell } from './components/Shell';
import { LanguageSwitch } from './components/LanguageSwitch';
import { LoginPage } from './pages/Login';
import { SetupPage } from './pages/Setup';
import { InvitePage } from './pages/Invite';
import { AccountPage } from './pages/Account';
import { NotFoundPage } from './pages/NotFound';
import { PAGES } from './signed-in-pages';
import { useSession } from './session';

function Home() {
  const { session } = useSession();
  if (session === undefined) return null;
  const home = !session ? '/login' : session.organization ? '/api-keys' : '/operator/organizations';
  return <Navigate to={home} replace />;
}

/** Pages a signed-out visitor sees: a language switch and the form. */
function Public({ children }: { children: React.ReactNode }) {
  return (
    <div className="public">
      <header className="topbar">
        <span className="brand">Tollgate</span>
        <span className="spacer" />
        <LanguageSwitch />
      </header>
      {children}
    </div>
  );
}

export function App() {
  return (
    <I18nProvider>
      <ConfigProvider>
        <SessionProvider>
          <BrowserRouter basename={basePath().replace(/\/$/, '') || '/'}>
            <Routes>
              <Route path="/" element={<Home />} />
              <Route path="/login" element={<Public><LoginPage /></Public>} />
              <Route path="/setup" element={<Public><SetupPage /></Public>} />
              <Route path="/invite" element={<Public><InvitePage /></Public>} />
              <Route element={<Shell />}>
                {PAGES.flatMap(({ to, who, Page, detail }) => {
                  // A member page too: a viewer in no organization is told so, not shown its API calls' 401s.
                  const element = <RequireRole who={who}><Page /></RequireRole>;
                  return [to, ...(detail ? [`${to}/${detail}`] : [])].map((path) => <Route key={path} path={path} element={element} />);
                })}
                <Route path="/account" element={<AccountPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </SessionProvider>
      </ConfigProvider>
    </I18nProvider>
  );
}
