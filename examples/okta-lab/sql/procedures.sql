-- The ten stored procedures of the lab (seed 002, "Stored Procedures"), with the
-- signatures the Okta connector's configuration screens call:
--
--   import (to Okta)                   provisioning (to the app)
--   GET_ACTIVEUSERS()                  CREATE_USER(24 parameters, 5 mandatory)
--   GET_USER_BY_ID(p_user_id)          UPDATE_USER(24 parameters, 5 mandatory)
--   GET_ALL_ENTITLEMENTS()             ACTIVATE_USER(p_user_id)
--   GET_USER_ENTITLEMENT(p_user_id)    DEACTIVATE_USER(p_user_id)
--                                      ADD_ENTITLEMENT_TO_USER(p_user_id, p_ent_id)
--                                      REMOVE_ENTITLEMENT_FROM_USER(p_user_id, p_ent_id)
--
-- No DELIMITER directives: send the file as one multi-statement query (load.sh,
-- or go-sql-driver with multiStatements=true); the server ends each CREATE
-- PROCEDURE at its END.
--
-- Errors the procedures raise, and what a SCIM client sees through dbscim:
--   * a missing mandatory value: SQLSTATE 45000 (error 1644), a validation error;
--   * a user or entitlement that does not exist in ADD_ENTITLEMENT_TO_USER:
--     SQLSTATE 23000 with error number 1452, the very error the plain INSERT of
--     statements.yaml gets from the foreign key, so both configurations answer
--     the same (400 invalidValue).

DROP PROCEDURE IF EXISTS GET_ACTIVEUSERS;
DROP PROCEDURE IF EXISTS GET_USER_BY_ID;
DROP PROCEDURE IF EXISTS GET_ALL_ENTITLEMENTS;
DROP PROCEDURE IF EXISTS GET_USER_ENTITLEMENT;
DROP PROCEDURE IF EXISTS CREATE_USER;
DROP PROCEDURE IF EXISTS UPDATE_USER;
DROP PROCEDURE IF EXISTS ACTIVATE_USER;
DROP PROCEDURE IF EXISTS DEACTIVATE_USER;
DROP PROCEDURE IF EXISTS ADD_ENTITLEMENT_TO_USER;
DROP PROCEDURE IF EXISTS REMOVE_ENTITLEMENT_FROM_USER;

-- 1. Every active user, with every column.
CREATE PROCEDURE GET_ACTIVEUSERS()
  READS SQL DATA
  SELECT USER_ID, USERNAME, FIRSTNAME, LASTNAME, MIDDLENAME, EMAIL, DISPLAYNAME, NICKNAME,
         MOBILEPHONE, STREETADDRESS, CITY, STATE, ZIPCODE, COUNTRYCODE, TIMEZONE, ORGANIZATION,
         DEPARTMENT, MANAGERID, MANAGER, TITLE, EMPLOYEENUMBER, HIREDATE, TERMINATIONDATE,
         PASSWORD_HASH, IS_ACTIVE
  FROM USERS
  WHERE IS_ACTIVE = 1
  ORDER BY USER_ID;

-- 2. One user by USER_ID, active or not (a deactivated user stays readable).
CREATE PROCEDURE GET_USER_BY_ID(IN p_user_id VARCHAR(100))
  READS SQL DATA
  SELECT USER_ID, USERNAME, FIRSTNAME, LASTNAME, MIDDLENAME, EMAIL, DISPLAYNAME, NICKNAME,
         MOBILEPHONE, STREETADDRESS, CITY, STATE, ZIPCODE, COUNTRYCODE, TIMEZONE, ORGANIZATION,
         DEPARTMENT, MANAGERID, MANAGER, TITLE, EMPLOYEENUMBER, HIREDATE, TERMINATIONDATE,
         PASSWORD_HASH, IS_ACTIVE
  FROM USERS
  WHERE USER_ID = p_user_id;

-- 3. Every entitlement.
CREATE PROCEDURE GET_ALL_ENTITLEMENTS()
  READS SQL DATA
  SELECT ENT_ID, ENT_NAME, ENT_DESCRIPTION
  FROM ENTITLEMENTS
  ORDER BY ENT_ID;

-- 4. The entitlements of one user.
CREATE PROCEDURE GET_USER_ENTITLEMENT(IN p_user_id VARCHAR(100))
  READS SQL DATA
  SELECT UE.USERENTITLEMENT_ID, UE.USER_ID, U.USERNAME, U.EMAIL, UE.ENT_ID, E.ENT_NAME,
         E.ENT_DESCRIPTION, UE.ASSIGNEDDATE
  FROM USERENTITLEMENTS UE
  JOIN USERS U ON UE.USER_ID = U.USER_ID
  JOIN ENTITLEMENTS E ON UE.ENT_ID = E.ENT_ID
  WHERE UE.USER_ID = p_user_id
  ORDER BY UE.ENT_ID;

-- 5. A new, active user. USER_ID, USERNAME, FIRSTNAME, LASTNAME and EMAIL are
-- mandatory (NULL or blank is refused); the other 19 may be NULL.
CREATE PROCEDURE CREATE_USER(
  IN p_user_id         VARCHAR(100),
  IN p_username        VARCHAR(100),
  IN p_firstname       VARCHAR(100),
  IN p_lastname        VARCHAR(100),
  IN p_email           VARCHAR(100),
  IN p_middlename      VARCHAR(100),
  IN p_displayname     VARCHAR(200),
  IN p_nickname        VARCHAR(100),
  IN p_mobilephone     VARCHAR(50),
  IN p_streetaddress   VARCHAR(255),
  IN p_city            VARCHAR(100),
  IN p_state           VARCHAR(100),
  IN p_zipcode         VARCHAR(20),
  IN p_countrycode     VARCHAR(10),
  IN p_timezone        VARCHAR(64),
  IN p_organization    VARCHAR(100),
  IN p_department      VARCHAR(100),
  IN p_managerid       VARCHAR(100),
  IN p_manager         VARCHAR(200),
  IN p_title           VARCHAR(100),
  IN p_employeenumber  VARCHAR(50),
  IN p_hiredate        DATE,
  IN p_terminationdate DATE,
  IN p_password_hash   VARCHAR(255))
  MODIFIES SQL DATA
BEGIN
  IF p_user_id IS NULL OR TRIM(p_user_id) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'CREATE_USER: USER_ID is required';
  END IF;
  IF p_username IS NULL OR TRIM(p_username) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'CREATE_USER: USERNAME is required';
  END IF;
  IF p_firstname IS NULL OR TRIM(p_firstname) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'CREATE_USER: FIRSTNAME is required';
  END IF;
  IF p_lastname IS NULL OR TRIM(p_lastname) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'CREATE_USER: LASTNAME is required';
  END IF;
  IF p_email IS NULL OR TRIM(p_email) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'CREATE_USER: EMAIL is required';
  END IF;
  INSERT INTO USERS (USER_ID, USERNAME, FIRSTNAME, LASTNAME, EMAIL, MIDDLENAME, DISPLAYNAME,
                     NICKNAME, MOBILEPHONE, STREETADDRESS, CITY, STATE, ZIPCODE, COUNTRYCODE,
                     TIMEZONE, ORGANIZATION, DEPARTMENT, MANAGERID, MANAGER, TITLE,
                     EMPLOYEENUMBER, HIREDATE, TERMINATIONDATE, PASSWORD_HASH)
  VALUES (p_user_id, p_username, p_firstname, p_lastname, p_email, p_middlename, p_displayname,
          p_nickname, p_mobilephone, p_streetaddress, p_city, p_state, p_zipcode, p_countrycode,
          p_timezone, p_organization, p_department, p_managerid, p_manager, p_title,
          p_employeenumber, p_hiredate, p_terminationdate, p_password_hash);
END;

-- 6. Rewrites a user's attributes; same parameters as CREATE_USER. The five
-- mandatory ones are checked as in CREATE_USER, and the user must exist.
-- A NULL optional value clears its column, with four exceptions that keep the
-- stored value when given NULL, because an identity provider does not manage
-- them: MANAGER (derived from the manager's record), HIREDATE, TERMINATIONDATE
-- (HR dates) and PASSWORD_HASH (never cleared by a profile update).
-- IS_ACTIVE is not touched: ACTIVATE_USER and DEACTIVATE_USER own it.
CREATE PROCEDURE UPDATE_USER(
  IN p_user_id         VARCHAR(100),
  IN p_username        VARCHAR(100),
  IN p_firstname       VARCHAR(100),
  IN p_lastname        VARCHAR(100),
  IN p_email           VARCHAR(100),
  IN p_middlename      VARCHAR(100),
  IN p_displayname     VARCHAR(200),
  IN p_nickname        VARCHAR(100),
  IN p_mobilephone     VARCHAR(50),
  IN p_streetaddress   VARCHAR(255),
  IN p_city            VARCHAR(100),
  IN p_state           VARCHAR(100),
  IN p_zipcode         VARCHAR(20),
  IN p_countrycode     VARCHAR(10),
  IN p_timezone        VARCHAR(64),
  IN p_organization    VARCHAR(100),
  IN p_department      VARCHAR(100),
  IN p_managerid       VARCHAR(100),
  IN p_manager         VARCHAR(200),
  IN p_title           VARCHAR(100),
  IN p_employeenumber  VARCHAR(50),
  IN p_hiredate        DATE,
  IN p_terminationdate DATE,
  IN p_password_hash   VARCHAR(255))
  MODIFIES SQL DATA
BEGIN
  IF p_user_id IS NULL OR TRIM(p_user_id) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'UPDATE_USER: USER_ID is required';
  END IF;
  IF p_username IS NULL OR TRIM(p_username) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'UPDATE_USER: USERNAME is required';
  END IF;
  IF p_firstname IS NULL OR TRIM(p_firstname) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'UPDATE_USER: FIRSTNAME is required';
  END IF;
  IF p_lastname IS NULL OR TRIM(p_lastname) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'UPDATE_USER: LASTNAME is required';
  END IF;
  IF p_email IS NULL OR TRIM(p_email) = '' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'UPDATE_USER: EMAIL is required';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM USERS WHERE USER_ID = p_user_id) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'UPDATE_USER: no such USER_ID';
  END IF;
  UPDATE USERS
  SET USERNAME        = p_username,
      FIRSTNAME       = p_firstname,
      LASTNAME        = p_lastname,
      EMAIL           = p_email,
      MIDDLENAME      = p_middlename,
      DISPLAYNAME     = p_displayname,
      NICKNAME        = p_nickname,
      MOBILEPHONE     = p_mobilephone,
      STREETADDRESS   = p_streetaddress,
      CITY            = p_city,
      STATE           = p_state,
      ZIPCODE         = p_zipcode,
      COUNTRYCODE     = p_countrycode,
      TIMEZONE        = p_timezone,
      ORGANIZATION    = p_organization,
      DEPARTMENT      = p_department,
      MANAGERID       = p_managerid,
      MANAGER         = COALESCE(p_manager, MANAGER),
      TITLE           = p_title,
      EMPLOYEENUMBER  = p_employeenumber,
      HIREDATE        = COALESCE(p_hiredate, HIREDATE),
      TERMINATIONDATE = COALESCE(p_terminationdate, TERMINATIONDATE),
      PASSWORD_HASH   = COALESCE(p_password_hash, PASSWORD_HASH)
  WHERE USER_ID = p_user_id;
END;

-- 7. IS_ACTIVE = TRUE.
CREATE PROCEDURE ACTIVATE_USER(IN p_user_id VARCHAR(100))
  MODIFIES SQL DATA
  UPDATE USERS SET IS_ACTIVE = TRUE WHERE USER_ID = p_user_id;

-- 8. IS_ACTIVE = FALSE. The row and its entitlements stay (Okta deactivates, it
-- does not delete); V_INACTIVE_USERENTITLEMENTS lists what is left to review.
CREATE PROCEDURE DEACTIVATE_USER(IN p_user_id VARCHAR(100))
  MODIFIES SQL DATA
  UPDATE USERS SET IS_ACTIVE = FALSE WHERE USER_ID = p_user_id;

-- 9. Grants an entitlement. Validates that the user and the entitlement exist
-- (SQLSTATE 23000, error 1452, as the foreign key would). Idempotent: granting an
-- entitlement the user already holds changes nothing and is not an error (the
-- plain INSERT of statements.yaml, like Okta's, fails on the unique key instead;
-- dbscim only ever grants what a user does not hold).
CREATE PROCEDURE ADD_ENTITLEMENT_TO_USER(IN p_user_id VARCHAR(100), IN p_ent_id INT)
  MODIFIES SQL DATA
BEGIN
  IF NOT EXISTS (SELECT 1 FROM USERS WHERE USER_ID = p_user_id) THEN
    SIGNAL SQLSTATE '23000'
      SET MYSQL_ERRNO = 1452, MESSAGE_TEXT = 'ADD_ENTITLEMENT_TO_USER: no such USER_ID';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ENTITLEMENTS WHERE ENT_ID = p_ent_id) THEN
    SIGNAL SQLSTATE '23000'
      SET MYSQL_ERRNO = 1452, MESSAGE_TEXT = 'ADD_ENTITLEMENT_TO_USER: no such ENT_ID';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM USERENTITLEMENTS WHERE USER_ID = p_user_id AND ENT_ID = p_ent_id) THEN
    INSERT INTO USERENTITLEMENTS (USER_ID, ENT_ID) VALUES (p_user_id, p_ent_id);
  END IF;
END;

-- 10. Revokes an entitlement. Idempotent: revoking one the user does not hold
-- changes nothing.
CREATE PROCEDURE REMOVE_ENTITLEMENT_FROM_USER(IN p_user_id VARCHAR(100), IN p_ent_id INT)
  MODIFIES SQL DATA
  DELETE FROM USERENTITLEMENTS WHERE USER_ID = p_user_id AND ENT_ID = p_ent_id;
