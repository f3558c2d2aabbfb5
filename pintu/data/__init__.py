"""What is stored: the database handle and unit of work, the tables, the schema migrations, stored
files and the audit trail."""
