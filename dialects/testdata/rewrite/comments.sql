-- is ? a placeholder
SELECT id /* not ? here */
FROM users # nor ? here in MySQL
WHERE id = ?
