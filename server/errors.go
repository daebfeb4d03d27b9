package server

import (
	"net/http"

	"scs"
)

// Error codes of the HTTP layer, beside the scs codes.
const (
	ETOOLARGE  = "too_large"              // the body is over the size limit
	EMEDIATYPE = "unsupported_media_type" // the body is not JSON
	EMETHOD    = "method_not_allowed"     // the path exists under another method
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	scs.EINVALID:      http.StatusBadRequest,
	scs.ENOTFOUND:     http.StatusNotFound,
	scs.ECONFLICT:     http.StatusConflict,
	scs.EUNAUTHORIZED: http.StatusUnauthorized,
	scs.EFORBIDDEN:    http.StatusForbidden,
	scs.EINTERNAL:     http.StatusInternalServerError,
	ETOOLARGE:         http.StatusRequestEntityTooLarge,
	EMEDIATYPE:        http.StatusUnsupportedMediaType,
	EMETHOD:           http.StatusMethodNotAllowed,
}

// Status returns the HTTP status for an error code; 500 for an unknown one.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Errorf returns an *scs.Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *scs.Error {
	return scs.Errorf(code, format, args...)
}

// fieldErrorf returns an scs.EINVALID error about field.
func fieldErrorf(field, format string, args ...any) *scs.Error {
	return scs.FieldErrorf(scs.EINVALID, field, format, args...)
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an error's code, message and, when known, the field at fault.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Fail writes err as a JSON error with the status of its code. An internal
// error is logged with the request and answered with a generic message.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	code := scs.ErrorCode(err)
	d := ErrorDetail{Code: code, Message: scs.ErrorMessage(err), Field: scs.ErrorField(err)}
	if code == scs.EINTERNAL {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		d.Message = "internal error; it has been logged"
	}
	status := Status(code)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scs"`)
	}
	s.JSON(w, status, ErrorBody{Error: d})
}
