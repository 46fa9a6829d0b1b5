/**
 * COPY ... FROM STDIN through Kysely. PostgreSQL's COPY loads rows for a fraction of what an
 * INSERT of the same rows costs both sides (no parameters to encode or parse, rows inserted in
 * bulk), but it is not a statement with parameters: Kysely can only hand a connection SQL text
 * and values. The pool given to Kysely wraps each connection so that a `copy ... from stdin`
 * statement whose one parameter is the data (COPY's text format: copy-text.ts) is run as COPY,
 * and a query of several statements answers with the last one's result.
 */
import { finished } from 'node:stream/promises';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isCopy } from './engine.ts';

/**
 * A pool whose connections run `copy ... from stdin` statements (see the module comment).
 * `connectError` turns a failure to open a connection into the error to throw.
 */
export function copyingPool(
  pool: pg.Pool,
  connectError: (error: unknown) => unknown = (error) => error,
): PostgresPool {
  // One wrapper per pooled connection: Kysely keeps its own state per client object.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw connectError(error);
      }
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = copyingClient(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function copyingClient(client: pg.PoolClient): PostgresPoolClient {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: the signature Kysely's PostgresPoolClient declares.
    query(sqlOrCursor: any, parameters?: readonly unknown[]): any {
      if (typeof sqlOrCursor === 'string' && isCopy(sqlOrCursor)) {
        return copy(client, sqlOrCursor, parameters?.[0]);
      }
      // Without parameters a query may hold several statements (newer-guard.ts sends BEGIN so):
      // pg answers with a result for each, Kysely reads one, the last.
      if (typeof sqlOrCursor === 'string' && parameters?.length === 0)
        return client
          .query(sqlOrCursor)
          .then((result: pg.QueryResult | pg.QueryResult[]) =>
            Array.isArray(result) ? result.at(-1) : result,
          );
      return client.query(sqlOrCursor, parameters as unknown[] | undefined);
    },
    release: () => client.release(),
  };
}

async function copy(client: pg.PoolClient, text: string, data: unknown) {
  if (!(data instanceof Uint8Array)) throw new Error('a COPY statement takes its data as its one parameter');
  const stream = client.query(copyFrom(text));
  stream.end(data);
  await finished(stream);
  return { command: 'COPY', rowCount: stream.rowCount, rows: [] };
}
