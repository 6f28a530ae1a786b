import { useEffect, useState, type FormEvent } from 'react';
import { listMovies } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { MovieMeta } from '../components/MovieMeta.tsx';
import { ErrorNotice } from '../components/Notice.tsx';
import { Page } from '../components/Page.tsx';
import { useLoad } from '../load.ts';
import { navigate } from '../router.ts';

export const PAGE_SIZE = 12;

// Genres seen so far, offered as suggestions in the genre field (the API has no genre list).
const knownGenres = new Set<string>();

/** The catalogue's address for a search: what the browser's back button returns to. */
function catalogueHref(title: string, genre: string, page = 1): string {
  const query = new URLSearchParams();
  if (title) query.set('title', title);
  if (genre) query.set('genre', genre);
  if (page > 1) query.set('page', String(page));
  const search = query.toString();
  return search ? `/?${search}` : '/';
}

export function Catalogue({ query }: { query: URLSearchParams }) {
  const title = query.get('title')?.trim() ?? '';
  const genre = query.get('genre')?.trim() ?? '';
  const page = Math.max(1, Math.floor(Number(query.get('page'))) || 1);
  const [loaded, reload] = useLoad(`${title}\n${genre}\n${page}`, () => listMovies({ title, genre }, PAGE_SIZE, (page - 1) * PAGE_SIZE));
  const [draftTitle, setDraftTitle] = useState(title);
  const [draftGenre, setDraftGenre] = useState(genre);
  // Back and forward change the search without this form: show the one displayed.
  useEffect(() => {
    setDraftTitle(title);
    setDraftGenre(genre);
  }, [title, genre]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    navigate(catalogueHref(draftTitle.trim(), draftGenre.trim()));
  };
  if (loaded.state === 'ready') for (const movie of loaded.value.movies) for (const g of movie.genres) knownGenres.add(g);
  const pages = loaded.state === 'ready' ? Math.max(1, Math.ceil(loaded.value.total / PAGE_SIZE)) : 1;

  return (
    <Page title="Catalogue">
      <search>
        <form className="search" onSubmit={search}>
          <div className="field">
            <label htmlFor="search-title">Title</label>
            <input id="search-title" type="search" value={draftTitle} maxLength={255} onChange={(e) => setDraftTitle(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="search-genre">Genre</label>
            <input id="search-genre" list="genres" value={draftGenre} maxLength={50} onChange={(e) => setDraftGenre(e.target.value)} />
            <datalist id="genres">
              {[...knownGenres].sort().map((g) => (
                <option key={g} value={g} />
              ))}
            </datalist>
          </div>
          <button type="submit">Search</button>
        </form>
      </search>

      <div aria-live="polite" className="summary">
        {loaded.state === 'loading' && <p>Loading movies…</p>}
        {loaded.state === 'ready' && (
          <p>
            {loaded.value.total === 0
              ? 'No movie matches your search.'
              : `${loaded.value.total} ${loaded.value.total === 1 ? 'movie' : 'movies'}${pages > 1 ? `, page ${page} of ${pages}` : ''}`}
            {(title || genre) && (
              <>
                {' '}
                <Link href="/">Show all movies</Link>
              </>
            )}
          </p>
        )}
      </div>
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} retry={reload} />}
      {loaded.state === 'ready' && loaded.value.movies.length > 0 && (
        <ul className="movies" aria-label="Movies">
          {loaded.value.movies.map((movie) => (
            <li key={movie.id} className="card">
              <h2>
                <Link href={`/movies/${movie.id}`}>{movie.title}</Link>
              </h2>
              <MovieMeta movie={movie} />
            </li>
          ))}
        </ul>
      )}
      {loaded.state === 'ready' && pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {page > 1 ? <Link href={catalogueHref(title, genre, page - 1)}>← Previous</Link> : <span aria-hidden="true" />}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link href={catalogueHref(title, genre, page + 1)}>Next →</Link> : <span aria-hidden="true" />}
        </nav>
      )}
    </Page>
  );
}
