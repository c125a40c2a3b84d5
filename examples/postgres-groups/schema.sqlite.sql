-- schema.sql for SQLite: the same tables and columns, with SQLite's types and its
-- NOCASE collation for the names SCIM compares case-insensitively. dbscim.yaml
-- serves either; the example's test runs the same scenarios on both.
--
--   sqlite3 scim.db < schema.sqlite.sql
CREATE TABLE users (
    id          TEXT    PRIMARY KEY,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    userName    TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    givenName   TEXT,
    middleName  TEXT,
    familyName  TEXT,
    email       TEXT,
    displayName TEXT,
    locale      TEXT,
    externalId  TEXT
);

CREATE TABLE groups (
    id          TEXT PRIMARY KEY,
    displayName TEXT NOT NULL COLLATE NOCASE UNIQUE,
    externalId  TEXT
);

CREATE TABLE link (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX link_user_id ON link (user_id);
