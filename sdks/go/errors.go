package janua

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/janua-dev/janua/sdks/go/api"
)

// Error kinds. Every error a facade call returns for an answer of the server is an *Error,
// and errors.Is(err, kind) tells its kind; errors.As(err, &e) with `var e *janua.Error` gives
// its Status, Code, Detail, RequestID, FieldErrors and RetryAfter:
//
//	me, err := client.Auth.Me(ctx)
//	var e *janua.Error
//	switch {
//	case errors.Is(err, janua.ErrToken): // sign in again
//	case errors.Is(err, janua.ErrRateLimit) && errors.As(err, &e): // wait e.RetryAfter
//	}
//
// The one flow step that carries more data, the 403 MFA_REQUIRED answer of a sign-in, is a
// *MfaRequiredError (errors.As), which also matches ErrMfaRequired and unwraps to its *Error.
var (
	// ErrAuthentication: 401 AUTHENTICATION_ERROR (wrong credentials). A TokenError is one too.
	ErrAuthentication = errors.New("janua: authentication failed")
	// ErrToken: 401 TOKEN_ERROR, the access or refresh token is missing, expired or revoked.
	ErrToken = errors.New("janua: invalid token")
	// ErrAuthorization: 403 AUTHORIZATION_ERROR.
	ErrAuthorization = errors.New("janua: not allowed")
	// ErrMfaRequired: 403 MFA_REQUIRED, the password was right and a second factor is due.
	ErrMfaRequired = errors.New("janua: second factor required")
	// ErrNotFound: 404 NOT_FOUND_ERROR.
	ErrNotFound = errors.New("janua: not found")
	// ErrConflict: 409 CONFLICT_ERROR (for example, the email is already registered).
	ErrConflict = errors.New("janua: conflict")
	// ErrValidation: 422 VALIDATION_ERROR; Error.FieldErrors lists the invalid fields.
	ErrValidation = errors.New("janua: validation failed")
	// ErrBadRequest: 400 BAD_REQUEST and any other 4xx without a more specific kind.
	ErrBadRequest = errors.New("janua: bad request")
	// ErrRateLimit: 429 RATE_LIMIT_ERROR; Error.RetryAfter is the server's hint.
	ErrRateLimit = errors.New("janua: rate limited")
	// ErrServer: 5xx (INTERNAL_ERROR, or 503 when a backing service is down).
	ErrServer = errors.New("janua: server error")
	// ErrNetwork: no answer at all (connection refused, timeout, reset). Error.Unwrap gives the
	// cause, so errors.Is(err, context.DeadlineExceeded) works too.
	ErrNetwork = errors.New("janua: network error")
)

var kindByCode = map[string]error{
	string(api.ErrorCodeAUTHENTICATIONERROR): ErrAuthentication,
	string(api.ErrorCodeTOKENERROR):          ErrToken,
	string(api.ErrorCodeAUTHORIZATIONERROR):  ErrAuthorization,
	string(api.ErrorCodeMFAREQUIRED):         ErrMfaRequired,
	string(api.ErrorCodeNOTFOUNDERROR):       ErrNotFound,
	string(api.ErrorCodeCONFLICTERROR):       ErrConflict,
	string(api.ErrorCodeVALIDATIONERROR):     ErrValidation,
	string(api.ErrorCodeBADREQUEST):          ErrBadRequest,
	string(api.ErrorCodeRATELIMITERROR):      ErrRateLimit,
	string(api.ErrorCodeINTERNALERROR):       ErrServer,
}

var kindByStatus = map[int]error{
	400: ErrBadRequest,
	401: ErrAuthentication,
	403: ErrAuthorization,
	404: ErrNotFound,
	409: ErrConflict,
	422: ErrValidation,
	429: ErrRateLimit,
}

// FieldError is one invalid field of a VALIDATION_ERROR: a JSON pointer ("#/email") and why.
type FieldError = api.FieldError

// Error is an error answer of the server (an RFC 9457 problem) or a network failure.
type Error struct {
	// Status is the HTTP status; 0 for a network error.
	Status int
	// Code is the problem's stable code ("NOT_FOUND_ERROR"); empty when the body had none.
	Code string
	// Title and Detail are the problem's human-readable texts.
	Title, Detail string
	// RequestID is the problem's request_id or the X-Request-ID header: quote it in bug reports.
	RequestID string
	// FieldErrors lists the invalid fields of a VALIDATION_ERROR.
	FieldErrors []FieldError
	// RetryAfter is the Retry-After hint of a 429 or 503 (0 when absent).
	RetryAfter time.Duration
	// Body is the raw answer body.
	Body []byte

	kind  error
	cause error
}

// Kind is the sentinel (ErrNotFound, ErrToken, ...) this error matches with errors.Is.
func (e *Error) Kind() error { return e.kind }

func (e *Error) Error() string {
	if e.Status == 0 {
		if e.cause != nil {
			return "janua: network error: " + e.cause.Error()
		}
		return "janua: network error"
	}
	code := e.Code
	if code == "" {
		code = "HTTP_ERROR"
	}
	text := e.Detail
	if text == "" {
		text = e.Title
	}
	if text == "" {
		text = http.StatusText(e.Status)
	}
	msg := fmt.Sprintf("janua: %d %s: %s", e.Status, code, text)
	if e.RequestID != "" {
		msg += " (request " + e.RequestID + ")"
	}
	return msg
}

// Is reports whether target is this error's kind; a TokenError is an AuthenticationError too.
func (e *Error) Is(target error) bool {
	return target == e.kind || (e.kind == ErrToken && target == ErrAuthentication)
}

// Unwrap gives the cause of a network error (nil otherwise).
func (e *Error) Unwrap() error { return e.cause }

// MfaRequiredError is login's 403 MFA_REQUIRED answer: the password was right, and the
// sign-in finishes by presenting MfaToken with a second factor of one of Methods.
type MfaRequiredError struct {
	// Err has the answer's Status, Code, Detail and RequestID.
	Err *Error
	// MfaToken is single-use and short-lived; only the second-factor endpoints accept it.
	MfaToken string
	// Methods are the factors the user can present ("totp", "recovery_code", ...).
	Methods []string
	// ExpiresIn is the MfaToken's lifetime.
	ExpiresIn time.Duration
}

// Unwrap gives the underlying *Error (errors.As(err, &e) with `var e *janua.Error` works).
func (e *MfaRequiredError) Unwrap() error { return e.Err }

func (e *MfaRequiredError) Error() string { return e.Err.Error() }

func networkError(cause error) *Error {
	return &Error{kind: ErrNetwork, cause: cause}
}

// errorFromResponse maps a non-2xx answer to a typed error, from its problem+json body when
// it has one and from its status otherwise.
func errorFromResponse(res *http.Response, body []byte) error {
	var problem struct {
		Code              string           `json:"code"`
		Title             string           `json:"title"`
		Detail            string           `json:"detail"`
		RequestID         string           `json:"request_id"`
		Errors            []api.FieldError `json:"errors"`
		MfaToken          string           `json:"mfa_token"`
		MfaMethods        []string         `json:"mfa_methods"`
		MfaTokenExpiresIn int              `json:"mfa_token_expires_in"`
	}
	_ = json.Unmarshal(body, &problem) // not JSON: status-only error
	e := &Error{
		Status:      res.StatusCode,
		Code:        problem.Code,
		Title:       problem.Title,
		Detail:      problem.Detail,
		RequestID:   problem.RequestID,
		FieldErrors: problem.Errors,
		Body:        body,
	}
	if e.RequestID == "" {
		e.RequestID = res.Header.Get("X-Request-ID")
	}
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter, _ = parseRetryAfter(res.Header.Get("Retry-After"), time.Now())
	}
	switch kind, ok := kindByCode[problem.Code]; {
	case ok:
		e.kind = kind
	case kindByStatus[res.StatusCode] != nil:
		e.kind = kindByStatus[res.StatusCode]
	case res.StatusCode >= 500:
		e.kind = ErrServer
	default:
		e.kind = ErrBadRequest
	}
	if e.kind == ErrMfaRequired {
		return &MfaRequiredError{
			Err:       e,
			MfaToken:  problem.MfaToken,
			Methods:   problem.MfaMethods,
			ExpiresIn: time.Duration(problem.MfaTokenExpiresIn) * time.Second,
		}
	}
	return e
}

// problemCode is the `code` of a problem+json body, "" when there is none.
func problemCode(body []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(body, &p)
	return p.Code
}

// parseRetryAfter reads a Retry-After value: delta-seconds or an HTTP date (RFC 9110 10.2.3).
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(value, 64); err == nil {
		if secs < 0 {
			secs = 0
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	if d := when.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}
