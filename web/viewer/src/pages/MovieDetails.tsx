import { useState, type FormEvent } from 'react';
import type { Movie } from '@cinemaabyss/api';
import { ApiError, getMovie, postMovieEvent } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { MovieMeta } from '../components/MovieMeta.tsx';
import { ErrorNotice, SuccessNotice } from '../components/Notice.tsx';
import { Page } from '../components/Page.tsx';
import { useLoad } from '../load.ts';
import { useUser } from '../session.ts';

export function MovieDetails({ id }: { id: number }) {
  const [loaded, reload] = useLoad(String(id), () => getMovie(id));
  if (loaded.state === 'loading')
    return (
      <Page title="Movie">
        <p aria-live="polite">Loading the movie…</p>
      </Page>
    );
  if (loaded.state === 'failed') {
    const missing = loaded.error instanceof ApiError && loaded.error.problem === 'not-found';
    return (
      <Page title={missing ? 'Movie not found' : 'Movie'}>
        {missing ? <p>There is no movie number {id} in the catalogue.</p> : <ErrorNotice error={loaded.error} retry={reload} />}
        <p>
          <Link href="/">Back to the catalogue</Link>
        </p>
      </Page>
    );
  }
  return <MovieView movie={loaded.value} />;
}

const SCORES = Array.from({ length: 11 }, (_, n) => n);

type Outcome = { ok: string } | { error: unknown } | undefined;

function MovieView({ movie }: { movie: Movie }) {
  const user = useUser();
  const [rating, setRating] = useState('8');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  // Watching and rating are movie events (POST /api/events/movie), by the signed-in user if any.
  const send = async (action: 'viewed' | 'rated', done: string, score?: number) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      await postMovieEvent({
        movie_id: movie.id,
        title: movie.title,
        action,
        genres: movie.genres,
        ...(user ? { user_id: user.id } : {}),
        ...(score === undefined ? {} : { rating: score }),
      });
      setOutcome({ ok: done });
    } catch (error) {
      setOutcome({ error });
    } finally {
      setBusy(false);
    }
  };
  const rate = (event: FormEvent) => {
    event.preventDefault();
    void send('rated', `Thank you: you rated ${movie.title} ${rating} out of 10.`, Number(rating));
  };

  return (
    <Page title={movie.title}>
      <MovieMeta movie={movie} />
      {movie.description && <p className="description">{movie.description}</p>}
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void send('viewed', `Now playing: ${movie.title}. Enjoy the film.`)}>
          ▶ Watch now
        </button>
        <form className="rate" onSubmit={rate}>
          <label htmlFor="rating">Your rating</label>
          <select id="rating" value={rating} onChange={(e) => setRating(e.target.value)}>
            {SCORES.map((n) => (
              <option key={n} value={n}>
                {n} / 10
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy}>
            Rate
          </button>
        </form>
      </div>
      {outcome && 'ok' in outcome && <SuccessNotice>{outcome.ok}</SuccessNotice>}
      {outcome && 'error' in outcome && <ErrorNotice error={outcome.error} />}
      <p>
        <Link href="/">Back to the catalogue</Link>
      </p>
    </Page>
  );
}
