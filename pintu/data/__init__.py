"""What is stored: the database handle and its write transactions, the tables, the schema migrations, stored
files and the audit trail."""
