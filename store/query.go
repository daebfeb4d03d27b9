package store

import (
	"context"
	"database/sql"
	"strconv"
)

// querier is what reads need: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runQuery runs a query: on the writer's transaction with a cached
// prepared statement (wtx.queryStmt) or on the readers (DB.read).
type runQuery func(query string, args ...any) (*sql.Rows, error)

func (db *DB) read(ctx context.Context) runQuery {
	return func(query string, args ...any) (*sql.Rows, error) {
		return db.rc.QueryContext(ctx, db.q(query), args...)
	}
}

// inBuckets are the sizes of IN lists; a list is padded to the next size
// (repeating its last value) so that few statements are prepared.
var inBuckets = [...]int{1, 4, 16, 64, 256}

// queryIn runs head + "(?, ...)" for ids in chunks and calls each for every
// row.
func queryIn(run runQuery, head string, ids []string, each func(*sql.Rows) error) error {
	const chunk = 256
	args := make([]any, 0, chunk)
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		size := chunk
		for _, b := range inBuckets {
			if b >= len(part) {
				size = b
				break
			}
		}
		args = args[:0]
		for i := range size {
			args = append(args, part[min(i, len(part)-1)])
		}
		rows, err := run(head+values(1, size), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := each(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func itoa(i int) string { return strconv.Itoa(i) }
