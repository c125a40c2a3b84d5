-- where userName eq "Bjensen@Example.com"
(t.user_name IS NOT NULL AND LOWER(t.user_name) = LOWER($2))
--   arg 1: "Bjensen@Example.com"

-- where externalId eq "00u1a2b3"
(t.ext_id IS NOT NULL AND t.ext_id = $3 AND CAST(t.ext_id AS TEXT) COLLATE "C" = $2)
--   arg 1: "00u1a2b3"
--   arg 2: "00u1a2b3"

-- where userName sw "b" and not (name.familyName co "50%_off")
((t.user_name IS NOT NULL AND LOWER(t.user_name) LIKE LOWER($2) ESCAPE '\') AND NOT ((t.family IS NOT NULL AND LOWER(t.family) LIKE LOWER($3) ESCAPE '\')))
--   arg 1: "b%"
--   arg 2: "%50\\%\\_off%"

-- where externalId ew "_x"
(t.ext_id IS NOT NULL AND CAST(t.ext_id AS TEXT) COLLATE "C" LIKE $2 ESCAPE '\')
--   arg 1: "%\\_x"

-- where active eq false or userName pr
((t.active IS NOT NULL AND t.active = $2) OR (t.user_name IS NOT NULL AND t.user_name <> $3))
--   arg 1: false
--   arg 2: ""

-- where meta.lastModified gt "2026-11-01T00:00:00Z"
(t.updated IS NOT NULL AND t.updated > $2)
--   arg 1: time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

-- where id eq "010007"
(t.user_id IS NOT NULL AND CAST(t.user_id AS TEXT) COLLATE "C" = $2)
--   arg 1: "010007"

-- where emails[type eq "work" and value co "@example.com"]
((t.work_email IS NOT NULL AND (1 = 1 AND (t.work_email IS NOT NULL AND LOWER(t.work_email) LIKE LOWER($2) ESCAPE '\'))) OR (t.home_email IS NOT NULL AND (1 = 0 AND (t.home_email IS NOT NULL AND LOWER(t.home_email) LIKE LOWER($3) ESCAPE '\'))))
--   arg 1: "%@example.com%"
--   arg 2: "%@example.com%"

-- where emails.value eq "babs@jensen.org"
((t.work_email IS NOT NULL AND (t.work_email IS NOT NULL AND LOWER(t.work_email) = LOWER($2))) OR (t.home_email IS NOT NULL AND (t.home_email IS NOT NULL AND LOWER(t.home_email) = LOWER($3))))
--   arg 1: "babs@jensen.org"
--   arg 2: "babs@jensen.org"

-- where emails ne "babs@jensen.org"
NOT ((t.work_email IS NOT NULL AND (t.work_email IS NOT NULL AND LOWER(t.work_email) = LOWER($2))) OR (t.home_email IS NOT NULL AND (t.home_email IS NOT NULL AND LOWER(t.home_email) = LOWER($3))))
--   arg 1: "babs@jensen.org"
--   arg 2: "babs@jensen.org"

-- where urn:example:user:enabled eq true
(t.status IS NOT NULL AND RTRIM(CAST(t.status AS TEXT) COLLATE "C") IN ($2, $3))
--   arg 1: "A"
--   arg 2: "L"

-- where urn:example:user:enabled ne true
(t.status IS NULL OR NOT RTRIM(CAST(t.status AS TEXT) COLLATE "C") IN ($2, $3))
--   arg 1: "A"
--   arg 2: "L"

-- where userType eq "contractor" or userType pr
((t.kind IS NOT NULL AND RTRIM(CAST(t.kind AS TEXT) COLLATE "C") IN ($2, $3)) OR (t.kind IS NOT NULL AND RTRIM(CAST(t.kind AS TEXT) COLLATE "C") IN ($4, $5, $6)))
--   arg 1: "C"
--   arg 2: "X"
--   arg 3: "E"
--   arg 4: "C"
--   arg 5: "X"

-- where userType sw "x"
1 = 0

-- where phoneNumbers[type eq "mobile" and value sw "+44"]
EXISTS (SELECT 1 FROM (SELECT kind, num FROM phones WHERE emp_id = t.user_id) AS c WHERE (c.kind IS NOT NULL OR c.num IS NOT NULL) AND ((c.kind IS NOT NULL AND LOWER(c.kind) = LOWER($2)) AND (c.num IS NOT NULL AND LOWER(c.num) LIKE LOWER($3) ESCAPE '\')))
--   arg 1: "mobile"
--   arg 2: "+44%"

-- where phoneNumbers.value ne "+1 555"
NOT EXISTS (SELECT 1 FROM (SELECT kind, num FROM phones WHERE emp_id = t.user_id) AS c WHERE (c.kind IS NOT NULL OR c.num IS NOT NULL) AND (c.num IS NOT NULL AND LOWER(c.num) = LOWER($2)))
--   arg 1: "+1 555"

-- where phoneNumbers pr
EXISTS (SELECT 1 FROM (SELECT kind, num FROM phones WHERE emp_id = t.user_id) AS c WHERE (c.kind IS NOT NULL OR c.num IS NOT NULL) AND 1 = 1)

-- lookup page
SELECT * FROM (SELECT user_id, user_name, ext_id, active, updated, family, work_email, home_email, status, kind FROM users WHERE tenant = $1) AS t WHERE (t.user_name IS NOT NULL AND LOWER(t.user_name) = LOWER($2)) ORDER BY t.user_id LIMIT $3 OFFSET $4
--   arg 1: "bjensen"
--   arg 2: 1
--   arg 3: 0

-- sorted page, descending, from the 21st
SELECT * FROM (SELECT user_id, user_name, ext_id, active, updated, family, work_email, home_email, status, kind FROM users WHERE tenant = $1) AS t ORDER BY CASE WHEN t.family IS NULL THEN 1 ELSE 0 END DESC, LOWER(t.family) DESC, t.user_id LIMIT $2 OFFSET $3
--   arg 1: 10
--   arg 2: 20

-- keyset page after u-0100
SELECT * FROM (SELECT user_id, user_name, ext_id, active, updated, family, work_email, home_email, status, kind FROM users WHERE tenant = $1) AS t WHERE t.user_id > $2 ORDER BY t.user_id LIMIT $3 OFFSET $4
--   arg 1: "u-0100"
--   arg 2: 100
--   arg 3: 0

-- offset page from the 101st
SELECT * FROM (SELECT user_id, user_name, ext_id, active, updated, family, work_email, home_email, status, kind FROM users WHERE tenant = $1) AS t ORDER BY t.user_id LIMIT $2 OFFSET $3
--   arg 1: 100
--   arg 2: 100

-- count of active users
SELECT COUNT(*) AS n FROM (SELECT user_id, user_name, ext_id, active, updated, family, work_email, home_email, status, kind FROM users WHERE tenant = $1) AS t WHERE (t.active IS NOT NULL AND t.active = $2)
--   arg 1: true

-- columns probe
SELECT * FROM (SELECT user_id, user_name, ext_id, active, updated, family, work_email, home_email, status, kind FROM users WHERE tenant = $1) AS t WHERE 1 = 0

-- member insert, 3 rows (at most 1000 a statement)
INSERT INTO members (group_id, user_id) VALUES ($1, $2), ($3, $4), ($5, $6)

