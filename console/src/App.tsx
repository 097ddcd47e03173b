/** The console: signed out, the sign-in; signed in, the screens this person's role may use. */
import { Navigate, Route, Routes } from 'react-router';
import { SessionProvider, useSessionQuery } from './api/session';
import { Problem, Loading } from './ui/parts';
import { Shell } from './ui/Shell';
import { screens } from './screens';
import { SignIn } from './screens/SignIn';

export function App() {
  const session = useSessionQuery();
  if (session.isPending) return <Loading what="the console" />;
  if (session.isError) return <Problem error={session.error} />;
  if (!session.data) return <SignIn />;
  return (
    <SessionProvider session={session.data}>
      <Shell>
        <Routes>
          {screens.map((screen) => (
            <Route key={screen.path} path={`${screen.path}/*`} element={<screen.Screen />} />
          ))}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Shell>
    </SessionProvider>
  );
}
