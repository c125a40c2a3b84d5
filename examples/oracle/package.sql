-- The PL/SQL package dbscim calls (dbscim.yaml), after schema.sql:
--   sqlplus scim_owner/secret@//127.0.0.1:1521/FREEPDB1 @package.sql
--
-- The getters return their rows through a SYS_REFCURSOR OUT parameter, the last
-- parameter of each: dbscim binds it as a cursor (CURSOR in params) and reads the
-- cursor like a query. Each cursor selects the columns that dbscim.yaml maps, under
-- their own names (USER_ID, USERNAME, ...), and orders its rows so that an import
-- pages through a stable order.
--
-- The writers do not COMMIT: dbscim runs every write in a transaction of its own,
-- together with the reads it makes around it, and commits or rolls back the whole.
-- A PL/SQL unit ends with a line holding only "/" (as SQL*Plus and SQLcl expect).

CREATE OR REPLACE PACKAGE dbscim_users AS
    PROCEDURE get_users(p_rc OUT SYS_REFCURSOR);
    PROCEDURE get_user(p_id IN VARCHAR2, p_rc OUT SYS_REFCURSOR);
    PROCEDURE create_user(p_id IN VARCHAR2, p_username IN VARCHAR2, p_firstname IN VARCHAR2,
                          p_lastname IN VARCHAR2, p_email IN VARCHAR2, p_title IN VARCHAR2,
                          p_department IN VARCHAR2);
    PROCEDURE update_user(p_id IN VARCHAR2, p_username IN VARCHAR2, p_firstname IN VARCHAR2,
                          p_lastname IN VARCHAR2, p_email IN VARCHAR2, p_title IN VARCHAR2,
                          p_department IN VARCHAR2);
    PROCEDURE activate_user(p_id IN VARCHAR2);
    PROCEDURE deactivate_user(p_id IN VARCHAR2);

    PROCEDURE get_entitlements(p_rc OUT SYS_REFCURSOR);
    PROCEDURE get_user_entitlements(p_user IN VARCHAR2, p_rc OUT SYS_REFCURSOR);
    PROCEDURE grant_entitlement(p_user IN VARCHAR2, p_ent IN VARCHAR2);
    PROCEDURE revoke_entitlement(p_user IN VARCHAR2, p_ent IN VARCHAR2);
END dbscim_users;
/

CREATE OR REPLACE PACKAGE BODY dbscim_users AS

    PROCEDURE get_users(p_rc OUT SYS_REFCURSOR) IS
    BEGIN
        OPEN p_rc FOR
            SELECT user_id, username, firstname, lastname, email, title, department, is_active
              FROM users
             ORDER BY user_id;
    END get_users;

    PROCEDURE get_user(p_id IN VARCHAR2, p_rc OUT SYS_REFCURSOR) IS
    BEGIN
        OPEN p_rc FOR
            SELECT user_id, username, firstname, lastname, email, title, department, is_active
              FROM users
             WHERE user_id = p_id;
    END get_user;

    -- p_id is the new user's id: dbscim generates one (a UUID) and binds it.
    PROCEDURE create_user(p_id IN VARCHAR2, p_username IN VARCHAR2, p_firstname IN VARCHAR2,
                          p_lastname IN VARCHAR2, p_email IN VARCHAR2, p_title IN VARCHAR2,
                          p_department IN VARCHAR2) IS
    BEGIN
        INSERT INTO users (user_id, username, firstname, lastname, email, title, department)
        VALUES (p_id, p_username, p_firstname, p_lastname, p_email, p_title, p_department);
    END create_user;

    PROCEDURE update_user(p_id IN VARCHAR2, p_username IN VARCHAR2, p_firstname IN VARCHAR2,
                          p_lastname IN VARCHAR2, p_email IN VARCHAR2, p_title IN VARCHAR2,
                          p_department IN VARCHAR2) IS
    BEGIN
        UPDATE users
           SET username = p_username, firstname = p_firstname, lastname = p_lastname,
               email = p_email, title = p_title, department = p_department
         WHERE user_id = p_id;
    END update_user;

    PROCEDURE activate_user(p_id IN VARCHAR2) IS
    BEGIN
        UPDATE users SET is_active = 'Y' WHERE user_id = p_id;
    END activate_user;

    PROCEDURE deactivate_user(p_id IN VARCHAR2) IS
    BEGIN
        UPDATE users SET is_active = 'N' WHERE user_id = p_id;
    END deactivate_user;

    PROCEDURE get_entitlements(p_rc OUT SYS_REFCURSOR) IS
    BEGIN
        OPEN p_rc FOR
            SELECT ent_id, ent_name, ent_description
              FROM entitlements
             ORDER BY ent_id;
    END get_entitlements;

    PROCEDURE get_user_entitlements(p_user IN VARCHAR2, p_rc OUT SYS_REFCURSOR) IS
    BEGIN
        OPEN p_rc FOR
            SELECT e.ent_id, e.ent_name, e.ent_description
              FROM entitlements e
              JOIN user_entitlements ue ON ue.ent_id = e.ent_id
             WHERE ue.user_id = p_user
             ORDER BY e.ent_id;
    END get_user_entitlements;

    -- Granting what the user already holds is not an error.
    PROCEDURE grant_entitlement(p_user IN VARCHAR2, p_ent IN VARCHAR2) IS
    BEGIN
        INSERT INTO user_entitlements (user_id, ent_id) VALUES (p_user, p_ent);
    EXCEPTION
        WHEN DUP_VAL_ON_INDEX THEN
            NULL;
    END grant_entitlement;

    PROCEDURE revoke_entitlement(p_user IN VARCHAR2, p_ent IN VARCHAR2) IS
    BEGIN
        DELETE FROM user_entitlements WHERE user_id = p_user AND ent_id = p_ent;
    END revoke_entitlement;

END dbscim_users;
/
