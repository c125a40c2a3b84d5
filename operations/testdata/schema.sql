CREATE TABLE users (
  id TEXT PRIMARY KEY,
  user_name TEXT NOT NULL UNIQUE,
  given_name TEXT,
  family_name TEXT,
  email TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT,
  note TEXT NOT NULL DEFAULT '',
  source TEXT
);
