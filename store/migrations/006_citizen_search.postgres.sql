-- Finding a citizen by the start of their id or name (SearchCitizens), in
-- byte order whatever the database's collation.
CREATE INDEX citizens_id_c ON citizens (id COLLATE "C");
CREATE INDEX citizens_name_c ON citizens (name COLLATE "C", id COLLATE "C");
