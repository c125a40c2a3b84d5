-- The Okta Generic Database Connector lab: tables (seed 002, "Database Schema and
-- Test Data"). MariaDB 10.6+ / MySQL 8. Load order: schema.sql, views.sql,
-- procedures.sql, data.sql (load.sh does it). Re-running this file drops the lab's
-- tables and views and starts over.
--
-- Every file in this folder is plain SQL without DELIMITER directives: statements
-- end with ';' and procedure bodies are BEGIN ... END blocks. Send a file as one
-- multi-statement query (the mariadb client with a delimiter that never occurs, as
-- load.sh does, or go-sql-driver with multiStatements=true, as the test does) and
-- the server splits it correctly.

DROP VIEW IF EXISTS V_INACTIVE_USERENTITLEMENTS, V_USER_HIERARCHY, V_ENTITLEMENT_USAGE,
  V_INACTIVE_USERS, V_ACTIVE_USERS, V_USERENTITLEMENTS;
DROP TABLE IF EXISTS USERENTITLEMENTS;
DROP TABLE IF EXISTS ENTITLEMENTS;
DROP TABLE IF EXISTS USERS;

-- USERS: one row per account. USER_ID is the account's identifier in e-mail form
-- (Okta's login); it is the SCIM id. The five NOT NULL columns are the ones the
-- connector marks REQUIRED, and CREATE_USER / UPDATE_USER insist on.
CREATE TABLE USERS (
  USER_ID         VARCHAR(100) NOT NULL,
  USERNAME        VARCHAR(100) NOT NULL,
  EMAIL           VARCHAR(100) NOT NULL,
  FIRSTNAME       VARCHAR(100) NOT NULL,
  LASTNAME        VARCHAR(100) NOT NULL,
  MIDDLENAME      VARCHAR(100) NULL,
  DISPLAYNAME     VARCHAR(200) NULL,
  NICKNAME        VARCHAR(100) NULL,
  MOBILEPHONE     VARCHAR(50)  NULL,
  STREETADDRESS   VARCHAR(255) NULL,
  CITY            VARCHAR(100) NULL,
  STATE           VARCHAR(100) NULL,
  ZIPCODE         VARCHAR(20)  NULL,
  COUNTRYCODE     VARCHAR(10)  NULL,
  TIMEZONE        VARCHAR(64)  NULL,
  ORGANIZATION    VARCHAR(100) NULL,
  DEPARTMENT      VARCHAR(100) NULL,
  MANAGERID       VARCHAR(100) NULL,
  MANAGER         VARCHAR(200) NULL,
  TITLE           VARCHAR(100) NULL,
  EMPLOYEENUMBER  VARCHAR(50)  NULL,
  HIREDATE        DATE         NULL,
  TERMINATIONDATE DATE         NULL,
  PASSWORD_HASH   VARCHAR(255) NULL,
  IS_ACTIVE       BOOLEAN      NOT NULL DEFAULT TRUE,
  PRIMARY KEY (USER_ID),
  UNIQUE KEY UQ_USERS_USERNAME (USERNAME),
  KEY IX_USERS_EMAIL (EMAIL),
  KEY IX_USERS_MANAGERID (MANAGERID)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- ENTITLEMENTS: what can be granted (Okta Identity Governance "Entitlements").
CREATE TABLE ENTITLEMENTS (
  ENT_ID          INT          NOT NULL,
  ENT_NAME        VARCHAR(100) NOT NULL,
  ENT_DESCRIPTION VARCHAR(255) NULL,
  PRIMARY KEY (ENT_ID),
  UNIQUE KEY UQ_ENTITLEMENTS_NAME (ENT_NAME)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- USERENTITLEMENTS: who has what. A user holds an entitlement at most once.
CREATE TABLE USERENTITLEMENTS (
  USERENTITLEMENT_ID INT          NOT NULL AUTO_INCREMENT,
  USER_ID            VARCHAR(100) NOT NULL,
  ENT_ID             INT          NOT NULL,
  ASSIGNEDDATE       DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (USERENTITLEMENT_ID),
  UNIQUE KEY UQ_USERENTITLEMENTS_USER_ENT (USER_ID, ENT_ID),
  KEY IX_USERENTITLEMENTS_ENT (ENT_ID),
  CONSTRAINT FK_USERENTITLEMENTS_USER FOREIGN KEY (USER_ID) REFERENCES USERS (USER_ID)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT FK_USERENTITLEMENTS_ENT FOREIGN KEY (ENT_ID) REFERENCES ENTITLEMENTS (ENT_ID)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
