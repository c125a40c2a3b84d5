-- The users, groups and link tables of Okta's Flask + PostgreSQL SCIM example
-- (seed 001), for dbscim to serve. Load it into an empty database:
--
--   createdb scim
--   psql -d scim -v ON_ERROR_STOP=1 -f schema.sql
--
-- Column names are the seed's (userName, givenName, ...), written unquoted: PostgreSQL
-- folds them to lower case (\d users shows username), and dbscim.yaml writes them the
-- same way, so every statement and dbscim's own filter SQL name the same columns.
-- schema.sqlite.sql is the same schema for SQLite.
BEGIN;

CREATE TABLE users (
    id          VARCHAR(36)  PRIMARY KEY,        -- the SCIM id: a UUID dbscim generates
    active      BOOLEAN      NOT NULL DEFAULT TRUE,
    userName    VARCHAR(250) NOT NULL,
    givenName   VARCHAR(250),
    middleName  VARCHAR(250),
    familyName  VARCHAR(250),
    email       VARCHAR(250),                    -- the seed's emails_value: the work e-mail
    displayName VARCHAR(250),
    locale      VARCHAR(250),
    externalId  VARCHAR(250)
);
-- SCIM compares userName case-insensitively; so does this index.
CREATE UNIQUE INDEX users_username_key ON users (lower(userName));

CREATE TABLE groups (
    id          VARCHAR(36)  PRIMARY KEY,
    displayName VARCHAR(250) NOT NULL,
    externalId  VARCHAR(250)                     -- not in the seed: Entra ID sends one
);
CREATE UNIQUE INDEX groups_displayname_key ON groups (lower(displayName));

-- The many-to-many relationship between users and groups.
CREATE TABLE link (
    group_id VARCHAR(36) NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  VARCHAR(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
-- A user's groups (the read-only groups attribute) are looked up by user_id.
CREATE INDEX link_user_id ON link (user_id);

COMMIT;
