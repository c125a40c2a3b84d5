-- The seed-000 scenario: an HR table in SQL Server that Okta imports users from,
-- read-only, through dbscim. Run it in the database dbscim.yaml names, e.g.
--   sqlcmd -S 127.0.0.1 -U sa -d hr -i schema.sql
-- Batches are separated by GO, as sqlcmd and SSMS expect (CREATE PROCEDURE must
-- start a batch). The table keeps the seed's own column names; dbscim.yaml maps them
-- to SCIM attributes, as the seed's DB_COLUMN_* variables did.

CREATE TABLE dbo.users (
    user_id      INT IDENTITY(1001, 1) NOT NULL CONSTRAINT pk_users PRIMARY KEY,
    employee_id  NVARCHAR(32)  NULL,
    email        NVARCHAR(256) NOT NULL CONSTRAINT uq_users_email UNIQUE,  -- the default _CI_ collation: unique in any letter case
    first_name   NVARCHAR(100) NULL,
    last_name    NVARCHAR(100) NULL,
    display_name NVARCHAR(200) NULL,
    job_title    NVARCHAR(100) NULL,
    department   NVARCHAR(100) NULL,
    is_active    BIT NOT NULL CONSTRAINT df_users_is_active DEFAULT 1
);
GO

INSERT INTO dbo.users (employee_id, email, first_name, last_name, display_name, job_title, department, is_active) VALUES
    (N'E-0001', N'ada.lovelace@example.com',   N'Ada',     N'Lovelace', N'Ada Lovelace',    N'Analyst',           N'Research',    1),
    (N'E-0002', N'grace.hopper@example.com',   N'Grace',   N'Hopper',   N'Grace Hopper',    N'Rear Admiral',      N'Engineering', 1),
    (N'E-0003', N'alan.turing@example.com',    N'Alan',    N'Turing',   N'Alan Turing',     N'Cryptanalyst',      N'Research',    1),
    (N'E-0004', N'edsger.dijkstra@example.com', N'Edsger', N'Dijkstra', N'Edsger Dijkstra', N'Programmer',        N'Engineering', 0),
    (N'E-0005', N'zoe.quinn@example.com',      N'Zoë',     N'Quinn',    N'Zoë Quinn',       N'Support Engineer',  N'Support',     1);
GO

-- get: one user by its SCIM id. The id arrives as text (SCIM ids are strings):
-- TRY_CONVERT makes a non-numeric id find nobody instead of failing with a
-- conversion error, and keeps the primary key index usable. dbscim itself checks
-- that the row's id reads back exactly as asked, so '01001' does not find 1001.
CREATE OR ALTER PROCEDURE dbo.scim_get_user
    @user_id NVARCHAR(64)
AS
BEGIN
    SET NOCOUNT ON;
    SELECT user_id, employee_id, email, first_name, last_name, display_name, job_title, department, is_active
    FROM dbo.users
    WHERE user_id = TRY_CONVERT(INT, @user_id);
END
GO
