// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error so the HTTP layer can pick a status.
type Kind int

// Error kinds.
const (
	KindInvalid       Kind = iota + 1 // the request is malformed or breaks a rule of its fields → 400
	KindNotFound                      // → 404
	KindConflict                      // the state does not allow it → 409
	KindForbidden                     // the actor may not do it → 403
	KindLimit                         // a cap was reached → 429
	KindUnsupported                   // a body of a type that is not taken → 415
	KindUnprocessable                 // a body of the right type that cannot be used (broken, encrypted) → 422
	KindTooLarge                      // → 413
	KindUnavailable                   // a device cannot do it now (paper out, scanner gone) → 503
)

// Error is a domain error: a kind, the field at fault and words for a person;
// Code, when set, is the stable id (kiosk/codes.go) pages translate, and
// Params fill its message's {placeholders}.
type Error struct {
	Kind   Kind
	Field  string
	Msg    string
	Code   string
	Params map[string]string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Msg)
	}
	return e.Msg
}

func invalid(field, format string, args ...any) error {
	return &Error{Kind: KindInvalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &Error{Kind: KindNotFound, Msg: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &Error{Kind: KindConflict, Msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &Error{Kind: KindForbidden, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of a domain error, or 0 for any other error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// coded makes a domain error with a stable code and the words in both
// languages (Msg, as before: Chinese first, English in parentheses).
func coded(kind Kind, code, field string, params map[string]string, format string, args ...any) error {
	return &Error{Kind: kind, Code: code, Field: field, Params: params, Msg: fmt.Sprintf(format, args...)}
}
