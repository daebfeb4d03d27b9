package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"scs/schemes"
	"scs/store"
)

func TestSettingsSurviveReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	sc := schemes.MustLoad("rongcheng")
	db, err := store.Open(ctx, path, sc)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := db.Settings(ctx); err != nil || m != nil {
		t.Fatalf("new database: %v %v", m, err)
	}
	want := map[string]string{"seed": "7", "demo citizens": "300"}
	if err := db.SetSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSettings(ctx, want); err != nil {
		t.Fatalf("setting again: %v", err)
	}
	db.Close()
	db, err = store.Open(ctx, path, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Settings(ctx); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopening: %v %v", got, err)
	}
}
