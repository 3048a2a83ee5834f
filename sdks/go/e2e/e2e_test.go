//go:build e2e

// Package e2e drives a live Janua server through the generated client. It only builds with
// `-tags e2e`, so `go test ./...` stays a unit run; JANUA_BASE_URL names the server.
//
//	JANUA_BASE_URL=http://127.0.0.1:4192 go test -tags e2e -count=1 ./...
package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"mime"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
	"github.com/janua-dev/janua/sdks/go/api"
	"github.com/oapi-codegen/runtime/types"
)

const problemJSON = "application/problem+json"

func TestAuthLifecycle(t *testing.T) {
	baseURL := os.Getenv("JANUA_BASE_URL")
	if baseURL == "" {
		// A skip would let CI go green without ever reaching a server.
		t.Fatal("JANUA_BASE_URL is not set; point it at a running Janua server")
	}
	client, err := janua.NewClient(baseURL)
	if err != nil {
		t.Fatalf("NewClient(%q): %v", baseURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	health, err := client.GetHealthWithResponse(ctx)
	if err != nil {
		t.Fatalf("health: server at %s unreachable: %v", baseURL, err)
	}
	expectStatus(t, "health", health.HTTPResponse, health.Body, http.StatusOK)

	// Unique per run, so the suite can run again against the same database.
	email := "go-e2e-" + randomHex(t, 8) + "@example.com"
	password := "pw-" + randomHex(t, 12) // 27 chars, above the 12-character minimum

	// --- register with only the required fields: 201 with {user, tokens}
	reg, err := client.RegisterUserWithResponse(ctx, api.RegisterRequest{Email: types.Email(email), Password: password})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	expectStatus(t, "register", reg.HTTPResponse, reg.Body, http.StatusCreated)
	if reg.JSON201 == nil {
		t.Fatalf("register: 201 body not decoded as AuthResponse: %s", reg.Body)
	}
	user := reg.JSON201.User
	if user.Email != email {
		t.Errorf("register: user.email = %q, want %q", user.Email, email)
	}
	if user.Name != nil {
		t.Errorf("register: user.name = %q, want null (none was given)", *user.Name)
	}
	expectTokenPair(t, "register", reg.JSON201.Tokens)

	// --- login: 200, same user
	login, err := client.LoginUserWithResponse(ctx, api.LoginRequest{Email: email, Password: password})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	expectStatus(t, "login", login.HTTPResponse, login.Body, http.StatusOK)
	if login.JSON200 == nil {
		t.Fatalf("login: 200 body not decoded as AuthResponse: %s", login.Body)
	}
	if login.JSON200.User.Id != user.Id {
		t.Errorf("login: user.id = %s, want %s (the registered user)", login.JSON200.User.Id, user.Id)
	}
	expectTokenPair(t, "login", login.JSON200.Tokens)
	session := login.JSON200.Tokens

	// --- me: 200, the same email
	me, err := client.GetCurrentUserWithResponse(ctx, janua.Bearer(session.AccessToken))
	if err != nil {
		t.Fatalf("me: %v", err)
	}
	expectStatus(t, "me", me.HTTPResponse, me.Body, http.StatusOK)
	if me.JSON200 == nil {
		t.Fatalf("me: 200 body not decoded as User: %s", me.Body)
	}
	if me.JSON200.Email != email || me.JSON200.Id != user.Id {
		t.Errorf("me: got user %s <%s>, want %s <%s>", me.JSON200.Id, me.JSON200.Email, user.Id, email)
	}

	// --- refresh: 200, a new refresh token
	refreshed, err := client.RefreshTokenWithResponse(ctx, nil, api.RefreshRequest{RefreshToken: session.RefreshToken})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	expectStatus(t, "refresh", refreshed.HTTPResponse, refreshed.Body, http.StatusOK)
	if refreshed.JSON200 == nil {
		t.Fatalf("refresh: 200 body not decoded as TokenPair: %s", refreshed.Body)
	}
	expectTokenPair(t, "refresh", *refreshed.JSON200)
	if deref(refreshed.JSON200.RefreshToken) == deref(session.RefreshToken) {
		t.Fatalf("refresh: the refresh token was not rotated (got the presented one back)")
	}
	session = *refreshed.JSON200

	// --- logout with the current access token: 204
	logout, err := client.LogoutUserWithResponse(ctx, janua.Bearer(session.AccessToken))
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	expectStatus(t, "logout", logout.HTTPResponse, logout.Body, http.StatusNoContent)

	// --- me with the logged-out token: 401 TOKEN_ERROR, before the token expires
	me, err = client.GetCurrentUserWithResponse(ctx, janua.Bearer(session.AccessToken))
	if err != nil {
		t.Fatalf("me after logout: %v", err)
	}
	expectProblem(t, "me after logout", me.HTTPResponse, me.Body, me.ApplicationproblemJSON401,
		http.StatusUnauthorized, api.ErrorCodeTOKENERROR)

	// Logout also retires the session's refresh token.
	gone, err := client.RefreshTokenWithResponse(ctx, nil, api.RefreshRequest{RefreshToken: session.RefreshToken})
	if err != nil {
		t.Fatalf("refresh after logout: %v", err)
	}
	expectProblem(t, "refresh after logout", gone.HTTPResponse, gone.Body, gone.ApplicationproblemJSON401,
		http.StatusUnauthorized, api.ErrorCodeTOKENERROR)

	// Logout ends that session only: the one opened at sign-up still works.
	expectSignedIn(t, ctx, client, "sign-up session after logout", reg.JSON201.Tokens.AccessToken, email)

	// --- bad logins: 401 AUTHENTICATION_ERROR, the same for a wrong password and an unknown email
	for _, bad := range []struct{ step, email, password string }{
		{"login with a wrong password", email, password + "-wrong"},
		{"login with an unknown email", "nobody-" + randomHex(t, 8) + "@example.com", password},
	} {
		res, err := client.LoginUserWithResponse(ctx, api.LoginRequest{Email: bad.email, Password: bad.password})
		if err != nil {
			t.Fatalf("%s: %v", bad.step, err)
		}
		expectProblem(t, bad.step, res.HTTPResponse, res.Body, res.ApplicationproblemJSON401,
			http.StatusUnauthorized, api.ErrorCodeAUTHENTICATIONERROR)
	}

	// --- register the same email again: 409 CONFLICT_ERROR, also when only its case differs
	for _, dup := range []struct{ step, email string }{
		{"register the same email", email},
		{"register the same email in upper case", strings.ToUpper(email)},
	} {
		res, err := client.RegisterUserWithResponse(ctx, api.RegisterRequest{Email: types.Email(dup.email), Password: password})
		if err != nil {
			t.Fatalf("%s: %v", dup.step, err)
		}
		expectProblem(t, dup.step, res.HTTPResponse, res.Body, res.ApplicationproblemJSON409,
			http.StatusConflict, api.ErrorCodeCONFLICTERROR)
	}

	// --- refresh-token reuse: a second session, rotated once, then the retired token again
	login2, err := client.LoginUserWithResponse(ctx, api.LoginRequest{Email: email, Password: password})
	if err != nil {
		t.Fatalf("second login: %v", err)
	}
	expectStatus(t, "second login", login2.HTTPResponse, login2.Body, http.StatusOK)
	if login2.JSON200 == nil {
		t.Fatalf("second login: 200 body not decoded as AuthResponse: %s", login2.Body)
	}
	retired := login2.JSON200.Tokens.RefreshToken

	rotated, err := client.RefreshTokenWithResponse(ctx, nil, api.RefreshRequest{RefreshToken: retired})
	if err != nil {
		t.Fatalf("second session refresh: %v", err)
	}
	expectStatus(t, "second session refresh", rotated.HTTPResponse, rotated.Body, http.StatusOK)
	if rotated.JSON200 == nil {
		t.Fatalf("second session refresh: 200 body not decoded as TokenPair: %s", rotated.Body)
	}
	if deref(rotated.JSON200.RefreshToken) == deref(retired) {
		t.Fatalf("second session refresh: the refresh token was not rotated")
	}
	current := *rotated.JSON200
	expectSignedIn(t, ctx, client, "second session before reuse", current.AccessToken, email)

	reuse, err := client.RefreshTokenWithResponse(ctx, nil, api.RefreshRequest{RefreshToken: retired})
	if err != nil {
		t.Fatalf("refresh with the retired token: %v", err)
	}
	expectProblem(t, "refresh with the retired token", reuse.HTTPResponse, reuse.Body,
		reuse.ApplicationproblemJSON401, http.StatusUnauthorized, api.ErrorCodeTOKENERROR)

	// Reuse revokes the whole session: its newest tokens stop working too.
	me, err = client.GetCurrentUserWithResponse(ctx, janua.Bearer(current.AccessToken))
	if err != nil {
		t.Fatalf("me after reuse: %v", err)
	}
	expectProblem(t, "me after reuse", me.HTTPResponse, me.Body, me.ApplicationproblemJSON401,
		http.StatusUnauthorized, api.ErrorCodeTOKENERROR)
	after, err := client.RefreshTokenWithResponse(ctx, nil, api.RefreshRequest{RefreshToken: current.RefreshToken})
	if err != nil {
		t.Fatalf("refresh with the newest token after reuse: %v", err)
	}
	expectProblem(t, "refresh with the newest token after reuse", after.HTTPResponse, after.Body,
		after.ApplicationproblemJSON401, http.StatusUnauthorized, api.ErrorCodeTOKENERROR)
}

// expectStatus stops the test unless the response has the wanted status.
func expectStatus(t *testing.T, step string, res *http.Response, body []byte, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d; body: %s", step, res.StatusCode, want, body)
	}
}

// expectProblem checks an RFC 9457 error answer: status, media type, and Janua's stable code.
func expectProblem(t *testing.T, step string, res *http.Response, body []byte, problem *api.Problem,
	wantStatus int, wantCode api.ErrorCode) {
	t.Helper()
	expectStatus(t, step, res, body, wantStatus)
	mediaType, _, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mediaType != problemJSON {
		t.Fatalf("%s: Content-Type %q, want %s; body: %s", step, res.Header.Get("Content-Type"), problemJSON, body)
	}
	if problem == nil {
		t.Fatalf("%s: the client did not decode the body as a Problem: %s", step, body)
	}
	if problem.Code != wantCode {
		t.Fatalf("%s: code %q, want %q; body: %s", step, problem.Code, wantCode, body)
	}
	if problem.Status != wantStatus {
		t.Errorf("%s: problem status %d, want %d (the HTTP status)", step, problem.Status, wantStatus)
	}
	if problem.Type == "" || problem.Title == "" {
		t.Errorf("%s: problem lacks the required type or title: %s", step, body)
	}
}

// deref reads an optional string field; absent is "".
func deref(value *string) string {
	if value == nil {
		return ""
	}
	return *value
}

// expectTokenPair checks the parts of a token pair a client relies on.
func expectTokenPair(t *testing.T, step string, tokens api.TokenPair) {
	t.Helper()
	// Body transport (the default): the refresh token is in the answer.
	if tokens.AccessToken == "" || deref(tokens.RefreshToken) == "" {
		t.Fatalf("%s: empty access or refresh token: %+v", step, tokens)
	}
	if tokens.TokenType != api.TokenPairTokenTypeBearer {
		t.Errorf("%s: token_type %q, want %q", step, tokens.TokenType, api.TokenPairTokenTypeBearer)
	}
	if tokens.ExpiresIn <= 0 || tokens.RefreshTokenExpiresIn <= 0 {
		t.Errorf("%s: lifetimes must be positive: expires_in=%d refresh_token_expires_in=%d",
			step, tokens.ExpiresIn, tokens.RefreshTokenExpiresIn)
	}
}

// expectSignedIn checks that an access token still identifies the user.
func expectSignedIn(t *testing.T, ctx context.Context, client *api.ClientWithResponses, step, accessToken, email string) {
	t.Helper()
	me, err := client.GetCurrentUserWithResponse(ctx, janua.Bearer(accessToken))
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	expectStatus(t, step, me.HTTPResponse, me.Body, http.StatusOK)
	if me.JSON200 == nil || me.JSON200.Email != email {
		t.Fatalf("%s: want user <%s>; body: %s", step, email, me.Body)
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("crypto/rand: %v", err)
	}
	return hex.EncodeToString(b)
}
