package scs

import (
	"errors"
	"fmt"
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

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
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
	var e *Error
	if errors.As(err, &e) {
		return e.text()
	}
	return "internal error"
}
