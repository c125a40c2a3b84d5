-- The quickstart's SQLite schema and seed users. dbscim runs this script when it
-- creates the database file on first start (database.init in dbscim.yaml).

CREATE TABLE users (
  id           TEXT PRIMARY KEY,
  user_name    TEXT NOT NULL COLLATE NOCASE UNIQUE,
  external_id  TEXT,
  given_name   TEXT,
  family_name  TEXT,
  display_name TEXT,
  email        TEXT,
  title        TEXT,
  department   TEXT,
  active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX users_external_id ON users (external_id);

INSERT INTO users (id, user_name, given_name, family_name, display_name, email, title, department) VALUES
  ('2819c223-7f76-453a-919d-413861904646', 'bjensen@example.com', 'Barbara', 'Jensen', 'Babs Jensen', 'bjensen@example.com', 'Tour Guide', 'Tours'),
  ('6e3b5c5a-1f0e-4a3e-9a57-0f0e4a2b7c11', 'jsmith@example.com', 'John', 'Smith', 'John Smith', 'jsmith@example.com', 'Engineer', 'Engineering'),
  ('a1b2c3d4-0000-4000-8000-000000000003', 'mchen@example.com', 'Mei', 'Chen', 'Mei Chen', 'mchen@example.com', 'Analyst', 'Finance'),
  ('a1b2c3d4-0000-4000-8000-000000000004', 'akumar@example.com', 'Arjun', 'Kumar', 'Arjun Kumar', 'akumar@example.com', 'Manager', 'Engineering'),
  ('a1b2c3d4-0000-4000-8000-000000000005', 'lgarcia@example.com', 'Lucia', 'Garcia', 'Lucia Garcia', 'lgarcia@example.com', 'Designer', 'Product');
