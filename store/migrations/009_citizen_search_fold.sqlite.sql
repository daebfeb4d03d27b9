-- Finding a citizen whatever the capitals (SearchCitizens): the start of an
-- id or a name compared in lower case. SQLite's lower() folds A-Z only, as
-- PostgreSQL's does under the "C" collation, so both find the same.
CREATE INDEX citizens_name_lower ON citizens (lower(name), id);
CREATE INDEX citizens_id_lower ON citizens (lower(id));
DROP INDEX citizens_name;
