-- The legacy HR schema of schema.mariadb.sql on PostgreSQL 13+
-- (psql -d hr -v ON_ERROR_STOP=1 -f schema.postgres.sql): the same tables and
-- the same procedures, so that dbscim.yaml serves both unchanged.
CREATE TABLE employees (
  emp_no     VARCHAR(40)  NOT NULL PRIMARY KEY,
  login      VARCHAR(100) NOT NULL UNIQUE,
  first_name VARCHAR(100),
  last_name  VARCHAR(100),
  email      VARCHAR(200),
  emp_kind   CHAR(1),
  status     CHAR(1)      NOT NULL DEFAULT 'A',
  ext_ref    VARCHAR(100),
  manager_no VARCHAR(40),
  cost_code  VARCHAR(20),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT LOCALTIMESTAMP(3)
);
CREATE TABLE phones (
  emp_no VARCHAR(40) NOT NULL REFERENCES employees (emp_no),
  kind   VARCHAR(20) NOT NULL,
  num    VARCHAR(40) NOT NULL,
  PRIMARY KEY (emp_no, kind, num)
);
CREATE TABLE roles (
  role_code VARCHAR(20)  NOT NULL PRIMARY KEY,
  role_name VARCHAR(100) NOT NULL
);
CREATE TABLE employee_roles (
  emp_no    VARCHAR(40) NOT NULL REFERENCES employees (emp_no),
  role_code VARCHAR(20) NOT NULL REFERENCES roles (role_code),
  PRIMARY KEY (emp_no, role_code)
);
INSERT INTO roles VALUES ('PAYROLL', 'Payroll clerk'), ('AUDIT', 'Auditor'), ('ADMIN', 'HR administrator');
INSERT INTO employees (emp_no, login, first_name, last_name, email, emp_kind, status, ext_ref)
  VALUES ('E-0001', 'mgarcia', 'Maria', 'Garcia', 'mgarcia@example.com', 'E', 'A', NULL),
         ('E-0002', 'tkowalski', 'Tomasz', 'Kowalski', 'tkowalski@example.com', 'C', 'L', NULL),
         ('E-0003', 'jdoe', 'Jane', 'Doe', 'jdoe@example.com', 'E', 'T', NULL);
INSERT INTO phones VALUES ('E-0001', 'work', '+1 555 0100');
INSERT INTO employee_roles VALUES ('E-0001', 'ADMIN');
CREATE PROCEDURE hire_employee(p_emp_no TEXT, p_login TEXT, p_first TEXT, p_last TEXT, p_email TEXT, p_kind TEXT) LANGUAGE sql AS $$
  INSERT INTO employees (emp_no, login, first_name, last_name, email, emp_kind) VALUES (p_emp_no, p_login, p_first, p_last, p_email, p_kind) $$;
CREATE PROCEDURE set_status(p_emp_no TEXT, p_status TEXT) LANGUAGE sql AS $$
  UPDATE employees SET status = p_status, updated_at = LOCALTIMESTAMP(3) WHERE emp_no = p_emp_no $$;
CREATE PROCEDURE add_phone(p_emp_no TEXT, p_kind TEXT, p_num TEXT) LANGUAGE sql AS $$
  INSERT INTO phones (emp_no, kind, num) VALUES (p_emp_no, p_kind, p_num) $$;
CREATE PROCEDURE grant_role(p_emp_no TEXT, p_role TEXT) LANGUAGE sql AS $$
  INSERT INTO employee_roles (emp_no, role_code) VALUES (p_emp_no, p_role) $$;
CREATE PROCEDURE revoke_role(p_emp_no TEXT, p_role TEXT) LANGUAGE sql AS $$
  DELETE FROM employee_roles WHERE emp_no = p_emp_no AND role_code = p_role $$;
