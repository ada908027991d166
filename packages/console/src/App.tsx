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
import { ApiKeysPage } from './pages/ApiKeys';
import { AccountPage } from './pages/Account';
import { PeoplePage } from './pages/People';
import { ProjectsPage } from './pages/Projects';
import { RequestsPage } from './pages/Requests';
import { UsagePage } from './pages/Usage';
import { LimitsPage } from './pages/Limits';
import { QuotaRequestsAdminPage } from './pages/operator/QuotaRequestsAdmin';
import { OrganizationsPage } from './pages/operator/Organizations';
import { ModelsPage } from './pages/operator/Models';
import { StatusAdminPage } from './pages/operator/StatusAdmin';
import { AuditLogAdminPage } from './pages/operator/AuditLogAdmin';
import { AuditLogPage } from './pages/AuditLog';
import { NotFoundPage } from './pages/NotFound';
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
                <Route path="/api-keys" element={<ApiKeysPage />} />
                <Route path="/projects" element={<RequireRole who="owner"><ProjectsPage /></RequireRole>} />
                <Route path="/projects/:projectId" element={<RequireRole who="owner"><ProjectsPage /></RequireRole>} />
                <Route path="/people" element={<RequireRole who="owner"><PeoplePage /></RequireRole>} />
                <Route path="/limits" element={<RequireRole who="owner"><LimitsPage /></RequireRole>} />
                <Route path="/usage" element={<RequireRole who="owner"><UsagePage /></RequireRole>} />
                <Route path="/requests" element={<RequestsPage />} />
                <Route path="/audit-log" element={<RequireRole who="owner"><AuditLogPage /></RequireRole>} />
                <Route path="/operator/quota-requests" element={<RequireRole who="operator"><QuotaRequestsAdminPage /></RequireRole>} />
                <Route path="/operator/organizations" element={<RequireRole who="operator"><OrganizationsPage /></RequireRole>} />
                <Route path="/operator/organizations/:orgId" element={<RequireRole who="operator"><OrganizationsPage /></RequireRole>} />
                <Route path="/operator/models" element={<RequireRole who="operator"><ModelsPage /></RequireRole>} />
                <Route path="/operator/status" element={<RequireRole who="operator"><StatusAdminPage /></RequireRole>} />
                <Route path="/operator/audit-log" element={<RequireRole who="operator"><AuditLogAdminPage /></RequireRole>} />
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
