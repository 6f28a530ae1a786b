import { Link } from './components/Link.tsx';
import { Page } from './components/Page.tsx';
import { Account } from './pages/Account.tsx';
import { Catalogue } from './pages/Catalogue.tsx';
import { MovieDetails } from './pages/MovieDetails.tsx';
import { SignUp } from './pages/SignUp.tsx';
import { useLocation } from './router.ts';
import { useUser } from './session.ts';

function Screen({ path, query }: { path: string; query: URLSearchParams }) {
  if (path === '/') return <Catalogue query={query} />;
  const movie = /^\/movies\/([1-9][0-9]{0,9})$/.exec(path);
  if (movie) return <MovieDetails key={movie[1]} id={Number(movie[1])} />;
  if (path === '/signup') return <SignUp />;
  if (path === '/account') return <Account />;
  return (
    <Page title="Page not found">
      <p>
        There is nothing at this address. <Link href="/">Browse the catalogue</Link>.
      </p>
    </Page>
  );
}

export function App() {
  const { path, query } = useLocation();
  const user = useUser();
  const current = (href: string) => (path === href ? 'page' : undefined);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          CinemaAbyss
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={current('/')}>
            Catalogue
          </Link>
          {user ? (
            <Link href="/account" aria-current={current('/account')}>
              Account ({user.username})
            </Link>
          ) : (
            <>
              <Link href="/signup" aria-current={current('/signup')}>
                Sign up
              </Link>
              <Link href="/account" aria-current={current('/account')}>
                Account
              </Link>
            </>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen key={path} path={path} query={query} />
      </main>
    </>
  );
}
