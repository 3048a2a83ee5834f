//go:build e2e

package e2e

// The accounts scenario, as sdks/python/tests/test_e2e_accounts.py runs it: verify the email
// from the real mail, edit the profile, list sessions, change and reset the password, and read
// one's own audit trail. The mails come from the SMTP sink `nox -s e2e` starts, which writes
// each one to JANUA_MAIL_DIR as <n>.eml.

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
	"github.com/janua-dev/janua/sdks/go/api"
	"github.com/oapi-codegen/runtime/types"
)

const deviceLabel = "go e2e laptop"

func TestAccountsScenario(t *testing.T) {
	baseURL := os.Getenv("JANUA_BASE_URL")
	if baseURL == "" {
		t.Fatal("JANUA_BASE_URL is not set; point it at a running Janua server")
	}
	mailDir := os.Getenv("JANUA_MAIL_DIR")
	if mailDir == "" {
		// Without the mails the scenario cannot verify or reset; a skip would hide that.
		t.Fatal("JANUA_MAIL_DIR is not set: run `nox -s e2e`, which starts an SMTP sink")
	}
	client, err := janua.NewClient(baseURL)
	if err != nil {
		t.Fatalf("NewClient(%q): %v", baseURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	email := "go-accounts-" + randomHex(t, 8) + "@example.com"
	// Long and random, so never on the server's list of common and breached passwords.
	password := passphrase(t, "amber lighthouse")
	newPassword := passphrase(t, "quiet orchard")
	resetPassword := passphrase(t, "copper meadow")

	// --- register with a device label: 201, not verified yet
	label := deviceLabel
	reg, err := client.RegisterUserWithResponse(ctx, api.RegisterRequest{
		Email: types.Email(email), Password: password, DeviceLabel: &label,
	})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	expectStatus(t, "register", reg.HTTPResponse, reg.Body, http.StatusCreated)
	if reg.JSON201 == nil {
		t.Fatalf("register: 201 body not decoded as AuthResponse: %s", reg.Body)
	}
	if reg.JSON201.User.EmailVerified {
		t.Errorf("register: email_verified = true before the link was opened")
	}
	access := reg.JSON201.Tokens.AccessToken

	// --- the verification link arrives by real SMTP; opening it verifies the address
	token := waitForLinkToken(t, mailDir, email, "/verify-email", 0)
	verify, err := client.VerifyEmailWithResponse(ctx, api.LinkTokenRequest{Token: token})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	expectStatus(t, "verify", verify.HTTPResponse, verify.Body, http.StatusNoContent)
	if me := currentUser(t, ctx, client, "me after verify", access); !me.EmailVerified {
		t.Errorf("me after verify: email_verified = false, want true")
	}
	again, err := client.VerifyEmailWithResponse(ctx, api.LinkTokenRequest{Token: token})
	if err != nil {
		t.Fatalf("verify again: %v", err)
	}
	expectProblem(t, "verify again with the used token", again.HTTPResponse, again.Body,
		again.ApplicationproblemJSON401, http.StatusUnauthorized, api.ErrorCodeTOKENERROR)

	// --- profile: PATCH /me answers the updated user, and GET /me reflects it
	name, locale, timezone := "Ada Go E2E", "en-GB", "Europe/London"
	updated, err := client.UpdateCurrentUserWithResponse(ctx,
		api.UpdateUserRequest{Name: &name, Locale: &locale, Timezone: &timezone}, janua.Bearer(access))
	if err != nil {
		t.Fatalf("update profile: %v", err)
	}
	expectStatus(t, "update profile", updated.HTTPResponse, updated.Body, http.StatusOK)
	if updated.JSON200 == nil {
		t.Fatalf("update profile: 200 body not decoded as User: %s", updated.Body)
	}
	expectProfile(t, "update profile", *updated.JSON200, name, locale, timezone)
	expectProfile(t, "me after update", currentUser(t, ctx, client, "me after update", access),
		name, locale, timezone)

	// --- sessions: the sign-up session is the current one, with its device label
	sessions, err := client.ListSessionsWithResponse(ctx, nil, janua.Bearer(access))
	if err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	expectStatus(t, "list sessions", sessions.HTTPResponse, sessions.Body, http.StatusOK)
	if sessions.JSON200 == nil {
		t.Fatalf("list sessions: 200 body not decoded as SessionList: %s", sessions.Body)
	}
	var current []string
	for _, s := range sessions.JSON200.Data {
		if s.Current {
			current = append(current, deref(s.DeviceLabel))
		}
	}
	if len(current) != 1 || current[0] != deviceLabel {
		t.Errorf("list sessions: device labels of current sessions = %q, want [%q]; body: %s",
			current, deviceLabel, sessions.Body)
	}

	// --- change password: a wrong current one is refused, the right one works
	wrong, err := client.ChangePasswordWithResponse(ctx, api.ChangePasswordRequest{
		CurrentPassword: password + "-not-it", NewPassword: newPassword,
	}, janua.Bearer(access))
	if err != nil {
		t.Fatalf("change password with a wrong current one: %v", err)
	}
	expectProblem(t, "change password with a wrong current one", wrong.HTTPResponse, wrong.Body,
		wrong.ApplicationproblemJSON403, http.StatusForbidden, api.ErrorCodeAUTHORIZATIONERROR)
	changed, err := client.ChangePasswordWithResponse(ctx, api.ChangePasswordRequest{
		CurrentPassword: password, NewPassword: newPassword,
	}, janua.Bearer(access))
	if err != nil {
		t.Fatalf("change password: %v", err)
	}
	expectStatus(t, "change password", changed.HTTPResponse, changed.Body, http.StatusNoContent)
	login(t, ctx, client, "login with the changed password", email, newPassword)

	// --- forgot -> the reset link by mail -> reset ends every session -> the new password works
	before := mailCount(t, mailDir)
	forgot, err := client.RequestPasswordResetWithResponse(ctx, api.ForgotPasswordRequest{Email: email})
	if err != nil {
		t.Fatalf("forgot password: %v", err)
	}
	expectStatus(t, "forgot password", forgot.HTTPResponse, forgot.Body, http.StatusAccepted)
	resetToken := waitForLinkToken(t, mailDir, email, "/reset-password", before)
	reset, err := client.ResetPasswordWithResponse(ctx, api.ResetPasswordRequest{Token: resetToken, Password: resetPassword})
	if err != nil {
		t.Fatalf("reset password: %v", err)
	}
	expectStatus(t, "reset password", reset.HTTPResponse, reset.Body, http.StatusNoContent)
	stale, err := client.GetCurrentUserWithResponse(ctx, janua.Bearer(access))
	if err != nil {
		t.Fatalf("me with the pre-reset token: %v", err)
	}
	expectProblem(t, "me with the pre-reset token", stale.HTTPResponse, stale.Body,
		stale.ApplicationproblemJSON401, http.StatusUnauthorized, api.ErrorCodeTOKENERROR)
	fresh := login(t, ctx, client, "login with the reset password", email, resetPassword)

	// --- the user's own audit trail holds every step
	actions := auditActions(t, ctx, client, fresh.AccessToken)
	for _, want := range []api.AuditEventAction{
		api.AuditEventActionUserRegistered,
		api.AuditEventActionEmailVerified,
		api.AuditEventActionProfileUpdated,
		api.AuditEventActionPasswordChanged,
		api.AuditEventActionPasswordReset,
	} {
		if !actions[want] {
			t.Errorf("audit events: no %q among %v", want, actions)
		}
	}
}

// passphrase is a long password with a random part, so no breached-password list holds it.
func passphrase(t *testing.T, words string) string {
	t.Helper()
	return fmt.Sprintf("%s %s go e2e", words, randomHex(t, 6))
}

func currentUser(t *testing.T, ctx context.Context, client *api.ClientWithResponses, step, accessToken string) api.User {
	t.Helper()
	me, err := client.GetCurrentUserWithResponse(ctx, janua.Bearer(accessToken))
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	expectStatus(t, step, me.HTTPResponse, me.Body, http.StatusOK)
	if me.JSON200 == nil {
		t.Fatalf("%s: 200 body not decoded as User: %s", step, me.Body)
	}
	return *me.JSON200
}

func expectProfile(t *testing.T, step string, user api.User, name, locale, timezone string) {
	t.Helper()
	got := [3]string{deref(user.Name), deref(user.Locale), deref(user.Timezone)}
	if want := [3]string{name, locale, timezone}; got != want {
		t.Errorf("%s: (name, locale, timezone) = %q, want %q", step, got, want)
	}
}

func login(t *testing.T, ctx context.Context, client *api.ClientWithResponses, step, email, password string) api.TokenPair {
	t.Helper()
	res, err := client.LoginUserWithResponse(ctx, api.LoginRequest{Email: email, Password: password})
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	expectStatus(t, step, res.HTTPResponse, res.Body, http.StatusOK)
	if res.JSON200 == nil {
		t.Fatalf("%s: 200 body not decoded as AuthResponse: %s", step, res.Body)
	}
	return res.JSON200.Tokens
}

// auditActions reads every page of the caller's audit events.
func auditActions(t *testing.T, ctx context.Context, client *api.ClientWithResponses, accessToken string) map[api.AuditEventAction]bool {
	t.Helper()
	actions := map[api.AuditEventAction]bool{}
	limit := 100
	params := &api.ListMyAuditEventsParams{Limit: &limit}
	for page := 1; ; page++ {
		res, err := client.ListMyAuditEventsWithResponse(ctx, params, janua.Bearer(accessToken))
		if err != nil {
			t.Fatalf("audit events page %d: %v", page, err)
		}
		expectStatus(t, fmt.Sprintf("audit events page %d", page), res.HTTPResponse, res.Body, http.StatusOK)
		if res.JSON200 == nil {
			t.Fatalf("audit events page %d: 200 body not decoded as AuditEventList: %s", page, res.Body)
		}
		for _, event := range res.JSON200.Data {
			actions[event.Action] = true
		}
		if res.JSON200.NextCursor == nil || page >= 20 {
			return actions
		}
		params.Cursor = res.JSON200.NextCursor
	}
}

// --- the mails: <n>.eml files in JANUA_MAIL_DIR, numbered in order of arrival

var linkPattern = regexp.MustCompile(`https?://\S+`)

// mailNumbers maps each spooled mail's number to its path (files still being written end
// in .tmp and are not listed).
func mailNumbers(t *testing.T, dir string) map[int]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatalf("mail dir %s: %v", dir, err)
	}
	numbers := make(map[int]string, len(paths))
	for _, path := range paths {
		n, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(path), ".eml"))
		if err != nil {
			t.Fatalf("mail dir %s: unexpected file %s", dir, path)
		}
		numbers[n] = path
	}
	return numbers
}

// mailCount is the number of the newest mail so far (0 when none has arrived).
func mailCount(t *testing.T, dir string) int {
	t.Helper()
	newest := 0
	for n := range mailNumbers(t, dir) {
		newest = max(newest, n)
	}
	return newest
}

// waitForLinkToken is the token of the newest link to path in the text part of a mail to
// `to` numbered above `after`, waiting up to ten seconds for it to arrive.
func waitForLinkToken(t *testing.T, dir, to, path string, after int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		numbers := mailNumbers(t, dir)
		newest := 0
		for n := range numbers {
			newest = max(newest, n)
		}
		for n := newest; n > after; n-- {
			file, ok := numbers[n]
			if !ok {
				continue
			}
			token, err := linkTokenIn(file, to, path)
			if err != nil {
				t.Fatalf("mail %s: %v", file, err)
			}
			if token != "" {
				return token
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s with a %s link (after mail #%d) in %s", to, path, after, dir)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// linkTokenIn is the token of the link to path in the mail's text part, or "" when the mail is
// not to `to` or has no such link.
func linkTokenIn(file, to, path string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return "", fmt.Errorf("not an RFC 5322 message: %w", err)
	}
	recipients, err := msg.Header.AddressList("To")
	if err != nil {
		return "", fmt.Errorf("To %q: %w", msg.Header.Get("To"), err)
	}
	addressed := false
	for _, r := range recipients {
		addressed = addressed || strings.EqualFold(r.Address, to)
	}
	if !addressed {
		return "", nil
	}
	text, err := textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return "", err
	}
	if text == "" {
		return "", fmt.Errorf("no text/plain part")
	}
	for _, raw := range linkPattern.FindAllString(text, -1) {
		link, err := url.Parse(raw)
		if err != nil || !strings.HasSuffix(link.Path, path) {
			continue
		}
		if token := link.Query().Get("token"); token != "" {
			return token, nil
		}
		return "", fmt.Errorf("link %s has no token", raw)
	}
	return "", nil
}

// textPart is the decoded first text/plain part of an entity, descending into multiparts;
// "" when there is none.
func textPart(contentType, transferEncoding string, body io.Reader) (string, error) {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii" // RFC 2045 section 5.2
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("Content-Type %q: %w", contentType, err)
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		// NextRawPart: the transfer encoding is decoded here, the same for every part.
		parts := multipart.NewReader(body, params["boundary"])
		for {
			part, err := parts.NextRawPart()
			if err == io.EOF {
				return "", nil
			}
			if err != nil {
				return "", err
			}
			text, err := textPart(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part)
			if err != nil || text != "" {
				return text, err
			}
		}
	case mediaType == "text/plain":
		if charset := strings.ToLower(params["charset"]); charset != "" && charset != "utf-8" && charset != "us-ascii" {
			return "", fmt.Errorf("text part in charset %q; only UTF-8 and US-ASCII are read", charset)
		}
		var decoded io.Reader
		switch enc := strings.ToLower(strings.TrimSpace(transferEncoding)); enc {
		case "quoted-printable":
			decoded = quotedprintable.NewReader(body)
		case "base64":
			decoded = base64.NewDecoder(base64.StdEncoding, body) // skips the line breaks itself
		case "", "7bit", "8bit", "binary":
			decoded = body
		default:
			return "", fmt.Errorf("unknown Content-Transfer-Encoding %q", enc)
		}
		text, err := io.ReadAll(decoded)
		return string(text), err
	default:
		return "", nil
	}
}
