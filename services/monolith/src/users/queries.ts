import { asc, eq } from 'drizzle-orm';
import { users, type Db } from '@cinemaabyss/db';
import type { CreateUser, User } from '@cinemaabyss/api';

const columns = { id: users.id, username: users.username, email: users.email };

export const listUsers = (db: Db): Promise<User[]> => db.select(columns).from(users).orderBy(asc(users.id));

export async function findUser(db: Db, id: number): Promise<User | undefined> {
  const [row] = await db.select(columns).from(users).where(eq(users.id, id));
  return row;
}

export async function insertUser(db: Db, input: CreateUser): Promise<User> {
  const [row] = await db.insert(users).values(input).returning(columns);
  return row!;
}
