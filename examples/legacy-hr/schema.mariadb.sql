-- A legacy HR schema, as it is: status codes instead of a boolean (A active,
-- L on leave, T terminated), a coded kind of employment (E employee,
-- C contractor), phone numbers in a child table, roles granted through
-- procedures, and a hire procedure that takes fewer arguments than the
-- attributes served. MariaDB 10.6+ (mysql -D hr < schema.mariadb.sql).
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
  updated_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE phones (
  emp_no VARCHAR(40) NOT NULL,
  kind   VARCHAR(20) NOT NULL,
  num    VARCHAR(40) NOT NULL,
  PRIMARY KEY (emp_no, kind, num),
  FOREIGN KEY (emp_no) REFERENCES employees (emp_no)
);
CREATE TABLE roles (
  role_code VARCHAR(20)  NOT NULL PRIMARY KEY,
  role_name VARCHAR(100) NOT NULL
);
CREATE TABLE employee_roles (
  emp_no    VARCHAR(40) NOT NULL,
  role_code VARCHAR(20) NOT NULL,
  PRIMARY KEY (emp_no, role_code),
  FOREIGN KEY (emp_no) REFERENCES employees (emp_no),
  FOREIGN KEY (role_code) REFERENCES roles (role_code)
);
INSERT INTO roles VALUES ('PAYROLL', 'Payroll clerk'), ('AUDIT', 'Auditor'), ('ADMIN', 'HR administrator');
INSERT INTO employees (emp_no, login, first_name, last_name, email, emp_kind, status, ext_ref)
  VALUES ('E-0001', 'mgarcia', 'Maria', 'Garcia', 'mgarcia@example.com', 'E', 'A', NULL),
         ('E-0002', 'tkowalski', 'Tomasz', 'Kowalski', 'tkowalski@example.com', 'C', 'L', NULL),
         ('E-0003', 'jdoe', 'Jane', 'Doe', 'jdoe@example.com', 'E', 'T', NULL);
INSERT INTO phones VALUES ('E-0001', 'work', '+1 555 0100');
INSERT INTO employee_roles VALUES ('E-0001', 'ADMIN');
CREATE PROCEDURE hire_employee(IN p_emp_no VARCHAR(40), IN p_login VARCHAR(100), IN p_first VARCHAR(100), IN p_last VARCHAR(100),
  IN p_email VARCHAR(200), IN p_kind CHAR(1))
  INSERT INTO employees (emp_no, login, first_name, last_name, email, emp_kind) VALUES (p_emp_no, p_login, p_first, p_last, p_email, p_kind);
CREATE PROCEDURE set_status(IN p_emp_no VARCHAR(40), IN p_status CHAR(1))
  UPDATE employees SET status = p_status, updated_at = CURRENT_TIMESTAMP(3) WHERE emp_no = p_emp_no;
CREATE PROCEDURE add_phone(IN p_emp_no VARCHAR(40), IN p_kind VARCHAR(20), IN p_num VARCHAR(40))
  INSERT INTO phones (emp_no, kind, num) VALUES (p_emp_no, p_kind, p_num);
CREATE PROCEDURE grant_role(IN p_emp_no VARCHAR(40), IN p_role VARCHAR(20))
  INSERT INTO employee_roles (emp_no, role_code) VALUES (p_emp_no, p_role);
CREATE PROCEDURE revoke_role(IN p_emp_no VARCHAR(40), IN p_role VARCHAR(20))
  DELETE FROM employee_roles WHERE emp_no = p_emp_no AND role_code = p_role;
