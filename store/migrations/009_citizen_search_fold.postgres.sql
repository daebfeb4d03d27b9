-- Finding a citizen whatever the capitals (SearchCitizens): the start of an
-- id or a name compared in lower case, in byte order. lower() under the
-- "C" collation folds A-Z only, as SQLite's does, so both find the same.
CREATE INDEX citizens_name_lower_c ON citizens ((lower(name COLLATE "C")), (id COLLATE "C"));
CREATE INDEX citizens_id_lower_c ON citizens ((lower(id COLLATE "C")));
DROP INDEX citizens_name_c;
