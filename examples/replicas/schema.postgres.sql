-- The users table for replicas on PostgreSQL. The unique index on lower(userName) is
-- what makes two replicas' simultaneous creates of one user end in one row and one
-- 409 (each replica checks that the name is free first, but both can check at once),
-- and it makes the check case-insensitive, as SCIM asks for userName.
CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  userName    TEXT NOT NULL,
  externalId  TEXT,
  givenName   TEXT,
  familyName  TEXT,
  email       TEXT,
  active      BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX users_userName ON users (lower(userName));
