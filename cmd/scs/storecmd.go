package main

import (
	"flag"

	"scs/schemes"
	"scs/store"
)

// dbFlags adds --db and --scheme to a command that opens the registry
// database. --db defaults to $SCS_DB, then ./scs.db.
type dbFlags struct {
	db     *string
	scheme *string
}

func addDBFlags(e *env, fs *flag.FlagSet) dbFlags {
	def := e.getenv("SCS_DB")
	if def == "" {
		def = store.DefaultDSN
	}
	return dbFlags{
		db:     fs.String("db", def, "registry database: a SQLite `PATH` or a postgres:// URL (default $SCS_DB, then ./scs.db)"),
		scheme: fs.String("scheme", "rongcheng", "built-in scheme `NAME` or scheme FILE the database was made with"),
	}
}

func (f dbFlags) open(e *env) (*store.DB, error) {
	s, err := schemes.Load(*f.scheme)
	if err != nil {
		return nil, err
	}
	return store.Open(e.ctx, *f.db, s)
}
