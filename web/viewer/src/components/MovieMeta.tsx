import type { Movie } from '@cinemaabyss/api';

/** A movie's rating and genres on one line; the star is read out as words. */
export function MovieMeta({ movie }: { movie: Movie }) {
  return (
    <p className="meta">
      <span aria-hidden="true">★ </span>
      <span className="sr-only">Rated </span>
      {movie.rating}
      <span className="sr-only"> out of 10</span>
      {movie.genres.length > 0 && <span> · {movie.genres.join(', ')}</span>}
    </p>
  );
}
