package bot

import (
	"errors"
	"fmt"
)

// Error codes. Users see the message of an error with any code but
// EINTERNAL; an EINTERNAL error is logged and shown as "internal error".
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	// ENORATE: money in a currency that has no exchange rate for the
	// event's day. The API and imports refuse it; webhooks park it until
	// a rate is set.
	ENORATE = "no_rate"
)

// Error is an application error with a code and a message meant for the
// user. Line and Field locate the problem in an input (a request body, an
// imported file, a config file) when there is one; Line counts from 1.
//
// Message is English: what the API, the CLI and the logs show. An error
// that can reach a chat user also carries Key and Args: the key of the
// same sentence in the message catalogue (package i18n) and its
// arguments, so the chat renders it in the user's language. Args are
// plain values (strings, numbers) or domain values such as Date and
// Period, which the renderer writes the way the language writes them.
type Error struct {
	Code    string
	Message string
	Line    int
	Field   string
	Key     string
	Args    []any
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Field != "":
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	case e.Field != "":
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one field of an input.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Keyed returns an *Error whose English message is format with args and
// which the chat shows in the user's language by key, with the same args.
// The catalogue text of key must take the args in the same order (a
// translation may reorder them with %[2]s).
func Keyed(code, key, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Key: key, Args: args}
}

// KeyedField is Keyed for an EINVALID error about one field of an input.
func KeyedField(field, key, format string, args ...any) *Error {
	e := Keyed(EINVALID, key, format, args...)
	e.Field = field
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
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

// ErrorMessage returns what a user may be shown about err: the message of
// the first *Error in its chain, or "internal error" when there is none or
// its code is EINTERNAL.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Error()
	}
	return "internal error"
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
