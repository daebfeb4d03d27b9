-- Finding a citizen by the start of their name (SearchCitizens); ids are
-- the primary key.
CREATE INDEX citizens_name ON citizens (name, id);
