import { asc, eq } from 'drizzle-orm';
import { users, type Db } from '@cinemaabyss/db';
import { enqueueEvent, outboxRecord } from '@cinemaabyss/outbox';
import { UserEvent, type CreateUser, type User } from '@cinemaabyss/api';

const columns = { id: users.id, username: users.username, email: users.email };

export const listUsers = (db: Db): Promise<User[]> => db.select(columns).from(users).orderBy(asc(users.id));

export async function findUser(db: Db, id: number): Promise<User | undefined> {
  const [row] = await db.select(columns).from(users).where(eq(users.id, id));
  return row;
}

/** Creates the user and, in the same transaction, its `user` event in the outbox. */
export async function insertUser(db: Db, input: CreateUser): Promise<User> {
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values(input).returning(columns);
    const payload = { user_id: user!.id, username: user!.username, email: user!.email, action: 'created', timestamp: new Date().toISOString() };
    await enqueueEvent(tx, outboxRecord(UserEvent, payload, 'monolith'));
    return user!;
  });
}
