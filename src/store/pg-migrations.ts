/**
 * PostgreSQL schema migrations, applied in order under an advisory lock (so replicas starting
 * together migrate once); `wharf_schema` records how far a database got. Append new steps;
 * never edit a released one.
 *
 * Text columns that are compared or ordered use the "C" collation: SQLite compares TEXT byte by
 * byte, and both backends must list records in the same order.
 */
export const postgresMigrations: readonly string[] = [
  `CREATE TABLE records (
     kind TEXT COLLATE "C" NOT NULL,
     id TEXT COLLATE "C" NOT NULL,
     scope TEXT COLLATE "C" NOT NULL DEFAULT '',
     sort TEXT COLLATE "C" NOT NULL DEFAULT '',
     version BIGINT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE INDEX records_by_sort ON records (kind, sort);
   CREATE INDEX records_by_scope ON records (kind, scope, sort);
   CREATE TABLE sequences (name TEXT COLLATE "C" PRIMARY KEY, value BIGINT NOT NULL);
   -- Leader leases (src/store/leader-election.ts): who holds each, its fencing token (bumped at
   -- every change of holder) and until when, in the database's own clock.
   CREATE TABLE leases (
     name TEXT COLLATE "C" PRIMARY KEY,
     holder TEXT NOT NULL,
     token BIGINT NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL
   );`,
  // One group commit = one call: every batch in its own subtransaction (a BEGIN … EXCEPTION
  // block is a savepoint), so a compare-and-swap failure undoes that batch alone. Each op is
  // one statement whose WHERE/ON CONFLICT does the compare and the swap together, so writers on
  // other connections (other replicas) are serialised by the row lock, never by a read-then-write.
  // A batch may carry a fence {lease, token}: it applies only while the lease has that token, and
  // holds the lease row (FOR SHARE) until commit, so a takeover waits for it and every later
  // write with the old token is refused.
  // Input: [{f: fence | null, o: [op, …]}, …]. Returns one element per batch: null (applied),
  // {kind, id} (the op that found another version) or {fenced: true}.
  `CREATE FUNCTION wharf_write(batches jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
   DECLARE
     results jsonb := '[]'::jsonb;
     b jsonb;
     op jsonb;
     n bigint;
     expect bigint;
   BEGIN
     FOR b IN SELECT t.value FROM jsonb_array_elements(batches) WITH ORDINALITY AS t(value, i) ORDER BY t.i LOOP
       BEGIN
         IF jsonb_typeof(b->'f') = 'object' THEN
           PERFORM 1 FROM leases WHERE name = b->'f'->>'lease' AND token = (b->'f'->>'token')::bigint FOR SHARE;
           IF NOT FOUND THEN
             RAISE EXCEPTION 'fenced' USING ERRCODE = 'WHFEN';
           END IF;
         END IF;
         FOR op IN SELECT t.value FROM jsonb_array_elements(b->'o') WITH ORDINALITY AS t(value, i) ORDER BY t.i LOOP
           expect := (op->>'expect')::bigint;
           IF op->>'op' = 'put' THEN
             IF expect IS NULL THEN
               INSERT INTO records AS r (kind, id, scope, sort, version, doc)
                 VALUES (op->>'kind', op->>'id', op->>'scope', op->>'sort', 1, op->>'doc')
                 ON CONFLICT (kind, id) DO UPDATE SET scope = excluded.scope, sort = excluded.sort,
                   version = r.version + 1, doc = excluded.doc;
               n := 1;
             ELSIF expect = 0 THEN
               INSERT INTO records (kind, id, scope, sort, version, doc)
                 VALUES (op->>'kind', op->>'id', op->>'scope', op->>'sort', 1, op->>'doc')
                 ON CONFLICT (kind, id) DO NOTHING;
               GET DIAGNOSTICS n = ROW_COUNT;
             ELSE
               UPDATE records SET scope = op->>'scope', sort = op->>'sort', version = version + 1, doc = op->>'doc'
                 WHERE kind = op->>'kind' AND id = op->>'id' AND version = expect;
               GET DIAGNOSTICS n = ROW_COUNT;
             END IF;
           ELSE
             IF expect IS NULL THEN
               DELETE FROM records WHERE kind = op->>'kind' AND id = op->>'id';
               n := 1;
             ELSIF expect = 0 THEN
               PERFORM 1 FROM records WHERE kind = op->>'kind' AND id = op->>'id' FOR UPDATE;
               n := CASE WHEN FOUND THEN 0 ELSE 1 END;
             ELSE
               DELETE FROM records WHERE kind = op->>'kind' AND id = op->>'id' AND version = expect;
               GET DIAGNOSTICS n = ROW_COUNT;
             END IF;
           END IF;
           IF n = 0 THEN
             RAISE EXCEPTION 'version conflict' USING ERRCODE = 'WHCAS';
           END IF;
         END LOOP;
         results := results || 'null'::jsonb;
       EXCEPTION
         WHEN SQLSTATE 'WHCAS' THEN
           results := results || jsonb_build_array(jsonb_build_object('kind', op->>'kind', 'id', op->>'id'));
         WHEN SQLSTATE 'WHFEN' THEN
           results := results || jsonb_build_array(jsonb_build_object('fenced', true));
       END;
     END LOOP;
     RETURN results;
   END
   $fn$;`,
];
