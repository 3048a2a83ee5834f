package janua

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func answer(status int, header http.Header, body string) error {
	if header == nil {
		header = http.Header{}
	}
	return errorFromResponse(&http.Response{StatusCode: status, Header: header}, []byte(body))
}

func TestErrorKindsFollowTheProblemCode(t *testing.T) {
	cases := []struct {
		status int
		code   string
		kind   error
	}{
		{401, "AUTHENTICATION_ERROR", ErrAuthentication},
		{401, "TOKEN_ERROR", ErrToken},
		{403, "AUTHORIZATION_ERROR", ErrAuthorization},
		{404, "NOT_FOUND_ERROR", ErrNotFound},
		{409, "CONFLICT_ERROR", ErrConflict},
		{422, "VALIDATION_ERROR", ErrValidation},
		{400, "BAD_REQUEST", ErrBadRequest},
		{429, "RATE_LIMIT_ERROR", ErrRateLimit},
		{500, "INTERNAL_ERROR", ErrServer},
		{503, "INTERNAL_ERROR", ErrServer},
		// No problem body: the status decides.
		{404, "", ErrNotFound},
		{502, "", ErrServer},
		{418, "", ErrBadRequest},
	}
	for _, tc := range cases {
		body := ""
		if tc.code != "" {
			body = `{"type":"urn:x","title":"T","status":1,"code":"` + tc.code + `","detail":"D","request_id":"rid"}`
		}
		err := answer(tc.status, nil, body)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%d %s: %v is not %v", tc.status, tc.code, err, tc.kind)
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != tc.status || e.Code != tc.code {
			t.Errorf("%d %s: As *Error gave %+v", tc.status, tc.code, e)
		}
		if tc.code != "" && (e.Detail != "D" || e.RequestID != "rid") {
			t.Errorf("%d %s: detail %q request id %q", tc.status, tc.code, e.Detail, e.RequestID)
		}
	}
	if err := answer(401, nil, `{"code":"TOKEN_ERROR"}`); !errors.Is(err, ErrAuthentication) {
		t.Error("a TOKEN_ERROR is an authentication error too")
	}
	if err := answer(401, nil, `{"code":"AUTHENTICATION_ERROR"}`); errors.Is(err, ErrToken) {
		t.Error("an AUTHENTICATION_ERROR is not a TOKEN_ERROR")
	}
}

func TestValidationErrorCarriesFieldErrors(t *testing.T) {
	err := answer(422, http.Header{"X-Request-Id": {"hdr"}},
		`{"code":"VALIDATION_ERROR","title":"Validation failed","status":422,"errors":[{"pointer":"#/email","detail":"not an email"}]}`)
	var e *Error
	if !errors.As(err, &e) || len(e.FieldErrors) != 1 || e.FieldErrors[0].Pointer != "#/email" || e.FieldErrors[0].Detail != "not an email" {
		t.Fatalf("field errors: %+v", e)
	}
	if e.RequestID != "hdr" {
		t.Errorf("request id from the X-Request-ID header: %q", e.RequestID)
	}
	if got := e.Error(); got != "janua: 422 VALIDATION_ERROR: Validation failed (request hdr)" {
		t.Errorf("message %q", got)
	}
}

func TestRateLimitErrorCarriesRetryAfter(t *testing.T) {
	err := answer(429, http.Header{"Retry-After": {"7"}}, `{"code":"RATE_LIMIT_ERROR"}`)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrRateLimit) || e.RetryAfter != 7*time.Second {
		t.Fatalf("got %v, RetryAfter %v", err, e.RetryAfter)
	}
}

func TestMfaRequiredErrorCarriesTheChallenge(t *testing.T) {
	err := answer(403, nil, `{"type":"urn:janua:problem:mfa-required","title":"Second factor required","status":403,
		"code":"MFA_REQUIRED","mfa_token":"tok","mfa_token_expires_in":300,"mfa_methods":["totp","recovery_code"],"request_id":"r1"}`)
	var mfa *MfaRequiredError
	if !errors.As(err, &mfa) {
		t.Fatalf("%T %v is not a *MfaRequiredError", err, err)
	}
	if mfa.MfaToken != "tok" || len(mfa.Methods) != 2 || mfa.Methods[0] != "totp" || mfa.ExpiresIn != 5*time.Minute {
		t.Errorf("challenge %+v", mfa)
	}
	var e *Error
	if !errors.Is(err, ErrMfaRequired) || errors.Is(err, ErrAuthorization) || !errors.As(err, &e) || e.Status != 403 || e.RequestID != "r1" {
		t.Errorf("kind or *Error wrong: %v %+v", err, e)
	}
}

func TestNetworkErrorUnwrapsItsCause(t *testing.T) {
	err := error(networkError(context.DeadlineExceeded))
	if !errors.Is(err, ErrNetwork) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 {
		t.Fatalf("%+v", e)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"3":                             3 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-4":                            0,
		"Sun, 29 Nov 2026 08:00:10 GMT": 10 * time.Second,
		"Sun, 29 Nov 2026 07:00:00 GMT": 0,
	}
	for value, want := range cases {
		if got, ok := parseRetryAfter(value, now); !ok || got != want {
			t.Errorf("%q: got %v %v, want %v", value, got, ok, want)
		}
	}
	for _, bad := range []string{"", "soon"} {
		if _, ok := parseRetryAfter(bad, now); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
