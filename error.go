package scs

import (
	"errors"
	"fmt"
	"strconv"
)

// Error codes a user can see. Each maps to one HTTP status in the server and
// to one exit status in the CLI.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
)

// Error is an error a user may see: a code from the list above and a message
// that names the field, line or value at fault. Field, when set, is the
// field at fault, and the message shown is "field: message".
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error returns the message prefixed by the code.
func (e *Error) Error() string { return e.Code + ": " + e.text() }

func (e *Error) text() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error with the given code about one field, so
// that callers can show the message at the field without parsing it.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// BatchError is an error about one item of a list: a record of a batch
// (List "records", the default) or of an import, a citizen of a load
// (List "citizens"). Index is the item's position from 0, ID its id when it
// has one. It unwraps to Err, whose code and field it keeps, so that the
// field path "records[3].at" is built from structure, never read out of
// the message.
type BatchError struct {
	List  string
	Index int
	ID    string
	Err   error
}

func (e *BatchError) list() string {
	if e.List == "" {
		return "records"
	}
	return e.List
}

// Item returns the item's path, such as "records[3]".
func (e *BatchError) Item() string {
	return e.list() + "[" + strconv.Itoa(e.Index) + "]"
}

func (e *BatchError) prefix() string {
	if e.ID == "" {
		return e.Item() + ": "
	}
	return e.Item() + " (id " + strconv.Quote(e.ID) + "): "
}

// Error renders `records[3] (id "r7"): code: field: message`.
func (e *BatchError) Error() string { return e.prefix() + e.Err.Error() }

// Unwrap returns the error about the item.
func (e *BatchError) Unwrap() error { return e.Err }

// ErrorField returns the field at fault in err's chain, or "": the field of
// the first *Error, under the item of each *BatchError that wraps it
// ("records[3].at").
func ErrorField(err error) string {
	var be *BatchError
	if errors.As(err, &be) {
		f := ErrorField(be.Err)
		if f == "" {
			return be.Item()
		}
		return be.Item() + "." + f
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain
// ("field: message" when it names a field), or a generic text for any other
// error, so that internal details are never shown.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var be *BatchError
	if errors.As(err, &be) && ErrorCode(be.Err) != EINTERNAL {
		return be.prefix() + ErrorMessage(be.Err)
	}
	var e *Error
	if errors.As(err, &e) {
		return e.text()
	}
	return "internal error"
}
