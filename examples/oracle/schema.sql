-- Users and entitlements in Oracle (12c or later), served by dbscim through the
-- PL/SQL package in package.sql. Run this first, as the schema owner:
--   sqlplus scim_owner/secret@//127.0.0.1:1521/FREEPDB1 @schema.sql
--
-- Unquoted names are stored in upper case (USERS, USER_ID, ...): dbscim.yaml writes
-- them that way, as the data dictionary and the cursors' column names show them.
-- Oracle has no BOOLEAN column type before 23ai: IS_ACTIVE is CHAR(1) 'Y'/'N', and
-- dbscim.yaml says so in the active mapping. An empty string is NULL in Oracle, so
-- a SCIM attribute sent as "" is stored as NULL.

CREATE TABLE users (
    user_id     VARCHAR2(64)  NOT NULL,
    username    VARCHAR2(256) NOT NULL,
    firstname   VARCHAR2(100),
    lastname    VARCHAR2(100),
    email       VARCHAR2(256),
    title       VARCHAR2(100),
    department  VARCHAR2(100),
    is_active   CHAR(1) DEFAULT 'Y' NOT NULL,
    CONSTRAINT users_pk PRIMARY KEY (user_id),
    CONSTRAINT users_is_active_ck CHECK (is_active IN ('Y', 'N'))
);

-- SCIM userName is unique in any letter case; Oracle compares case-sensitively, so
-- the unique index is on LOWER(username).
CREATE UNIQUE INDEX users_username_uk ON users (LOWER(username));

CREATE TABLE entitlements (
    ent_id          VARCHAR2(64)  NOT NULL,
    ent_name        VARCHAR2(200) NOT NULL,
    ent_description VARCHAR2(1000),
    CONSTRAINT entitlements_pk PRIMARY KEY (ent_id)
);

CREATE TABLE user_entitlements (
    user_id VARCHAR2(64) NOT NULL,
    ent_id  VARCHAR2(64) NOT NULL,
    CONSTRAINT user_entitlements_pk PRIMARY KEY (user_id, ent_id),
    CONSTRAINT user_entitlements_user_fk FOREIGN KEY (user_id) REFERENCES users (user_id) ON DELETE CASCADE,
    CONSTRAINT user_entitlements_ent_fk FOREIGN KEY (ent_id) REFERENCES entitlements (ent_id)
);

INSERT INTO users (user_id, username, firstname, lastname, email, title, department, is_active)
    VALUES ('1001', 'ada.lovelace@example.com', 'Ada', 'Lovelace', 'ada.lovelace@example.com', 'Analyst', 'Research', 'Y');
INSERT INTO users (user_id, username, firstname, lastname, email, title, department, is_active)
    VALUES ('1002', 'grace.hopper@example.com', 'Grace', 'Hopper', 'grace.hopper@example.com', 'Rear Admiral', 'Engineering', 'Y');
INSERT INTO users (user_id, username, firstname, lastname, email, title, department, is_active)
    VALUES ('1003', 'alan.turing@example.com', 'Alan', 'Turing', 'alan.turing@example.com', 'Cryptanalyst', 'Research', 'N');

INSERT INTO entitlements (ent_id, ent_name, ent_description) VALUES ('GL_READ', 'General ledger: read', 'Read journals and balances');
INSERT INTO entitlements (ent_id, ent_name, ent_description) VALUES ('GL_POST', 'General ledger: post', 'Post journal entries');
INSERT INTO entitlements (ent_id, ent_name, ent_description) VALUES ('AP_APPROVE', 'Payables: approve', 'Approve supplier invoices');

INSERT INTO user_entitlements (user_id, ent_id) VALUES ('1001', 'GL_READ');
INSERT INTO user_entitlements (user_id, ent_id) VALUES ('1001', 'GL_POST');
INSERT INTO user_entitlements (user_id, ent_id) VALUES ('1002', 'AP_APPROVE');

COMMIT;
