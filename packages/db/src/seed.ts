import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { movieGenres, movies, payments, subscriptions, users } from './schema.ts';

const sampleMovies = [
  {
    title: 'The Shawshank Redemption',
    description: 'Two imprisoned men bond over a number of years, finding solace and eventual redemption through acts of common decency.',
    rating: 9.3,
    genres: ['Drama'],
  },
  {
    title: 'The Godfather',
    description: 'The aging patriarch of an organized crime dynasty transfers control of his clandestine empire to his reluctant son.',
    rating: 9.2,
    genres: ['Crime', 'Drama'],
  },
  {
    title: 'The Dark Knight',
    description:
      'When the menace known as the Joker wreaks havoc and chaos on the people of Gotham, Batman must accept one of the greatest psychological and physical tests of his ability to fight injustice.',
    rating: 9.0,
    genres: ['Action', 'Crime', 'Drama'],
  },
  {
    title: 'Pulp Fiction',
    description:
      'The lives of two mob hitmen, a boxer, a gangster and his wife, and a pair of diner bandits intertwine in four tales of violence and redemption.',
    rating: 8.9,
    genres: ['Crime', 'Drama'],
  },
  {
    title: 'Forrest Gump',
    description:
      'The presidencies of Kennedy and Johnson, the Vietnam War, the Watergate scandal and other events unfold from the perspective of an Alabama man whose only desire is to be reunited with his childhood sweetheart.',
    rating: 8.8,
    genres: ['Drama', 'Romance'],
  },
];

/**
 * Inserts the sample data (3 users, 5 movies with genres, 3 payments, 3 subscriptions) into an
 * empty database; a database that already has users is left alone. Returns whether it seeded.
 */
export async function seed(db: Db): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Two seeders starting together: the second waits here, then sees the data.
    await tx.execute(sql`LOCK TABLE ${users} IN EXCLUSIVE MODE`);
    const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
    if ((existing?.n ?? 0) > 0) return false;

    const people = await tx
      .insert(users)
      .values([1, 2, 3].map((n) => ({ username: `user${n}`, email: `user${n}@example.com` })))
      .returning({ id: users.id });
    for (const movie of sampleMovies) {
      const [row] = await tx.insert(movies).values({ title: movie.title, description: movie.description, rating: movie.rating }).returning({ id: movies.id });
      await tx.insert(movieGenres).values(movie.genres.map((genre) => ({ movieId: row!.id, genre })));
    }
    const [a, b, c] = people.map((p) => p.id) as [number, number, number];
    await tx.insert(payments).values([
      { userId: a, amount: 9.99 },
      { userId: b, amount: 14.99 },
      { userId: c, amount: 19.99 },
    ]);
    const start = new Date();
    const end = new Date(start.getTime() + 30 * 24 * 3600 * 1000);
    await tx.insert(subscriptions).values([
      { userId: a, planType: 'basic', startDate: start, endDate: end },
      { userId: b, planType: 'premium', startDate: start, endDate: end },
      { userId: c, planType: 'family', startDate: start, endDate: end },
    ]);
    return true;
  });
}
