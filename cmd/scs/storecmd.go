package main

import (
	"flag"

	"scs"
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
	return dbFlags{
		db:     fs.String("db", "", "registry database: a SQLite `PATH` or a postgres:// URL (default $SCS_DB, then "+store.DefaultDSN+")"),
		scheme: fs.String("scheme", "", "built-in scheme `NAME` or scheme FILE the database was made with (default: the built-in scheme the database names, rongcheng for a new one)"),
	}
}

// dsn is the database --db names, else $SCS_DB, else store.DefaultDSN.
func (f dbFlags) dsn(e *env) string {
	if *f.db != "" {
		return *f.db
	}
	if d := e.getenv("SCS_DB"); d != "" {
		return d
	}
	return store.DefaultDSN
}

// open opens the registry database. Only when create is true (scs import)
// does it make a database that is not there; otherwise a missing SQLite
// file is an error, so that a mistyped path is never answered from a new,
// empty database.
func (f dbFlags) open(e *env, create bool) (*store.DB, error) {
	dsn := f.dsn(e)
	if !create && !store.Exists(dsn) {
		return nil, scs.Errorf(scs.ENOTFOUND, "no database at %s (scs serve or scs import creates one; --db or $SCS_DB names another)", dsn)
	}
	s, err := dbScheme(e, dsn, *f.scheme)
	if err != nil {
		return nil, err
	}
	return store.Open(e.ctx, dsn, s)
}

// dbScheme loads the scheme to open the database dsn with: name when it is
// given; else the built-in scheme the database says it was made with;
// else (a new database) rongcheng. A database made with a scheme file
// needs the file named.
func dbScheme(e *env, dsn, name string) (*scs.Scheme, error) {
	if name != "" {
		return schemes.Load(name)
	}
	made := store.SchemeOf(e.ctx, dsn)
	if made == "" {
		return schemes.Load("rongcheng")
	}
	if _, ok := schemes.Builtin(made); !ok {
		return nil, scs.Errorf(scs.EINVALID, "the database was made with scheme %s, which is not a built-in one: name its file with --scheme FILE", made)
	}
	return schemes.Load(made)
}
