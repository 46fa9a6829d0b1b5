/**
 * `reports.reporter_contact`: the reporter's email and extra contact info as the report itself
 * gave them. Reporters are one row per org_name, whose contact is the first report's (later
 * reports only fill what it lacked), and an org's reports may carry several (seen in the shared
 * corpus: GoDaddy's, from several addresses): a report showed whichever of its org's reports was
 * ingested first, and ingests are concurrent. Null for reports stored before: they show their
 * org's contact, as they did; filling them in would rewrite every reports row and its raw bytes.
 */
import { type Migration, sql } from 'kysely';
import type { EngineKind } from '../engine.ts';
import type { AnyDb } from './builders.ts';

export function reportContact(_kind: EngineKind): Migration {
  return {
    async up(db: AnyDb) {
      await sql`alter table reports add column reporter_contact text`.execute(db);
    },
  };
}
