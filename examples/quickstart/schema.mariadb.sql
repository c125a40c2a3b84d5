-- The quickstart's tables and sample rows of schema.sql, for MariaDB 10.5+ and
-- MySQL 8 (mysql -D quickstart < schema.mariadb.sql): dbscim.yaml's statements run
-- on them unchanged, with its database block pointing here. Ids compare exactly
-- (utf8mb4_bin), as SCIM ids are case-exact; userName and a team's name keep the
-- default collation, which compares case-insensitively, as SCIM asks.

-- Users. status is a code, as HR systems keep it: A active, L on leave (still
-- active), T terminated; dbscim.yaml maps it to SCIM's active. manager_id holds
-- another user's id, without a foreign key: an IdP may name a manager it has not
-- provisioned yet.
CREATE TABLE users (
  id           VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  user_name    VARCHAR(255) NOT NULL UNIQUE,
  external_id  VARCHAR(255),
  given_name   VARCHAR(255),
  family_name  VARCHAR(255),
  display_name VARCHAR(255),
  email        VARCHAR(255),
  title        VARCHAR(255),
  department   VARCHAR(255),
  manager_id   VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  cost_code    VARCHAR(64),
  status       CHAR(1) NOT NULL DEFAULT 'A' CHECK (status IN ('A', 'L', 'T')),
  updated_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  INDEX users_external_id (external_id)
);

-- Phone numbers, one row per number (SCIM phoneNumbers); they go with their user.
CREATE TABLE phones (
  user_id      VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  phone_type   VARCHAR(20) NOT NULL,
  phone_number VARCHAR(64) NOT NULL,
  PRIMARY KEY (user_id, phone_type, phone_number),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

-- Teams (SCIM Groups) and their members. Deleting a user or a team removes its
-- memberships.
CREATE TABLE teams (
  id           VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  display_name VARCHAR(255) NOT NULL UNIQUE,
  external_id  VARCHAR(255)
);
CREATE TABLE team_members (
  team_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  user_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (team_id, user_id),
  FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE,
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

INSERT INTO users (id, user_name, given_name, family_name, display_name, email, title, department, manager_id, cost_code, status) VALUES
  ('a1b2c3d4-0000-4000-8000-000000000003', 'mchen@example.com', 'Mei', 'Chen', 'Mei Chen', 'mchen@example.com', 'Head of Operations', 'Operations', NULL, 'CC-100', 'A'),
  ('a1b2c3d4-0000-4000-8000-000000000004', 'akumar@example.com', 'Arjun', 'Kumar', 'Arjun Kumar', 'akumar@example.com', 'Engineering Manager', 'Engineering', 'a1b2c3d4-0000-4000-8000-000000000003', 'CC-300', 'A'),
  ('2819c223-7f76-453a-919d-413861904646', 'bjensen@example.com', 'Barbara', 'Jensen', 'Babs Jensen', 'bjensen@example.com', 'Tour Guide', 'Tours', 'a1b2c3d4-0000-4000-8000-000000000003', 'CC-200', 'A'),
  ('6e3b5c5a-1f0e-4a3e-9a57-0f0e4a2b7c11', 'jsmith@example.com', 'John', 'Smith', 'John Smith', 'jsmith@example.com', 'Engineer', 'Engineering', 'a1b2c3d4-0000-4000-8000-000000000004', 'CC-300', 'L'),
  ('a1b2c3d4-0000-4000-8000-000000000005', 'lgarcia@example.com', 'Lucia', 'Garcia', 'Lucia Garcia', 'lgarcia@example.com', 'Designer', 'Product', 'a1b2c3d4-0000-4000-8000-000000000004', 'CC-400', 'T');

INSERT INTO phones (user_id, phone_type, phone_number) VALUES
  ('2819c223-7f76-453a-919d-413861904646', 'work', '+1 555 0101'),
  ('2819c223-7f76-453a-919d-413861904646', 'mobile', '+1 555 0102'),
  ('a1b2c3d4-0000-4000-8000-000000000004', 'work', '+1 555 0104'),
  ('6e3b5c5a-1f0e-4a3e-9a57-0f0e4a2b7c11', 'mobile', '+1 555 0111');

INSERT INTO teams (id, display_name) VALUES
  ('e9e30dba-f08f-4109-8486-d5c6a331660a', 'Tour Guides'),
  ('b7c8d9e0-0000-4000-9000-000000000002', 'Engineering'),
  ('b7c8d9e0-0000-4000-9000-000000000003', 'Managers');

INSERT INTO team_members (team_id, user_id) VALUES
  ('e9e30dba-f08f-4109-8486-d5c6a331660a', '2819c223-7f76-453a-919d-413861904646'),
  ('b7c8d9e0-0000-4000-9000-000000000002', 'a1b2c3d4-0000-4000-8000-000000000004'),
  ('b7c8d9e0-0000-4000-9000-000000000002', '6e3b5c5a-1f0e-4a3e-9a57-0f0e4a2b7c11'),
  ('b7c8d9e0-0000-4000-9000-000000000003', 'a1b2c3d4-0000-4000-8000-000000000003'),
  ('b7c8d9e0-0000-4000-9000-000000000003', 'a1b2c3d4-0000-4000-8000-000000000004');
