-- The users table for replicas on MariaDB/MySQL. The UNIQUE key on userName is what
-- makes two replicas' simultaneous creates of one user end in one row and one 409:
-- each replica checks that the name is free first, but both can check at once.
-- The default collation compares userName case-insensitively, as SCIM asks; the id
-- is compared exactly (ascii_bin), as SCIM ids are case-exact.
CREATE TABLE users (
  id          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  userName    VARCHAR(255) NOT NULL,
  externalId  VARCHAR(255),
  givenName   VARCHAR(255),
  familyName  VARCHAR(255),
  email       VARCHAR(255),
  active      BOOLEAN NOT NULL DEFAULT TRUE,
  UNIQUE KEY users_userName (userName)
);
