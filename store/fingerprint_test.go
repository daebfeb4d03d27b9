package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

// TestSchemeFingerprint opens one database with schemes that differ in
// prose (accepted) and in a figure (refused, naming what changed), and
// moves a database that holds the earlier whole-scheme fingerprint to the
// scheme's own.
func TestSchemeFingerprint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fp.db")
	open := func(s *scs.Scheme) error {
		db, err := Open(ctx, path, s)
		if err == nil {
			db.Close()
		}
		return err
	}
	if err := open(schemes.MustLoad("rongcheng")); err != nil {
		t.Fatal(err)
	}
	prose := schemes.MustLoad("rongcheng")
	prose.Title = "Rongcheng, reworded"
	prose.Rules[0].Notes = "a mended note"
	if err := open(prose); err != nil {
		t.Fatalf("a change of title was refused: %v", err)
	}
	figure := schemes.MustLoad("rongcheng")
	figure.Rules[figure.RuleIndex("tax-evasion")].Effect.Points = -90
	err := open(figure)
	if scs.ErrorCode(err) != scs.EINVALID || !strings.Contains(err.Error(), "rules[tax-evasion].points: -100, now -90") {
		t.Fatalf("a changed figure: %v; want it refused with the change named", err)
	}
	// A database from before the scheme's own fingerprint.
	db, err := Open(ctx, path, schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'scheme_fingerprint'`, legacyFingerprint(schemes.MustLoad("rongcheng"))); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM meta WHERE key = 'scheme_terms'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := open(schemes.MustLoad("rongcheng")); err != nil {
		t.Fatalf("a database with the earlier fingerprint: %v", err)
	}
	if err := open(figure); err == nil || !strings.Contains(err.Error(), "now -90") {
		t.Fatalf("after the move, a changed figure: %v", err)
	}
}
