/** Around every screen: a skip link, the navigation this role may use, who is signed in, sign-out. */
import { useState, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { useSession, useSignOut } from '../api/session';
import { screens } from '../screens';
import { Problem } from './parts';

export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  // The next person to sign in on this browser starts at the overview, not where the last one was.
  const leave = async () => {
    await signOut();
    await navigate('/', { replace: true });
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to the screen
      </a>
      <header className="top">
        <p className="brand">Vow console</p>
        <p className="who">
          Signed in as <strong>{session.role}</strong>
        </p>
        <button type="button" className="quiet" onClick={() => void leave().catch(setError)}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {screens
            .filter((screen) => screen.permission === undefined || session.may(screen.permission))
            .map((screen) => (
              <li key={screen.path}>
                <NavLink to={screen.path} end={screen.path === '/'}>
                  {screen.name}
                </NavLink>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Problem error={error} />
        {children}
      </main>
    </>
  );
}
