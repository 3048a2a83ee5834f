//go:build e2e

package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
	"github.com/janua-dev/janua/sdks/go/api"
)

// totp is RFC 6238 with the authenticator-app defaults (SHA-1, 6 digits, 30 s).
func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("TOTP secret %q: %v", secret, err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// Login with a second factor: MfaRequiredError carries the challenge, MFA.VerifyChallenge
// finishes the sign-in and the client keeps the tokens it answers.
func TestFacadeMfaSignIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, email, password, _ := signedUp(t, ctx)
	setup, err := c.MFA.StartTotpSetup(ctx)
	if err != nil {
		t.Fatalf("start TOTP setup: %v", err)
	}
	codes, err := c.MFA.ConfirmTotpSetup(ctx, api.MfaCodeRequest{Code: totp(t, setup.Secret, time.Now())})
	if err != nil || len(codes.RecoveryCodes) == 0 {
		t.Fatalf("confirm TOTP setup: %+v %v", codes, err)
	}

	fresh := newFacade(t)
	_, err = fresh.Auth.Login(ctx, janua.LoginParams{Email: email, Password: password})
	var mfa *janua.MfaRequiredError
	if !errors.As(err, &mfa) || !errors.Is(err, janua.ErrMfaRequired) || mfa.MfaToken == "" || len(mfa.Methods) == 0 || mfa.Err.Status != 403 {
		t.Fatalf("login with TOTP enrolled: %v (%+v)", err, mfa)
	}
	if tok, _ := fresh.Tokens(ctx); tok != nil {
		t.Fatal("tokens stored before the second factor")
	}
	res, err := fresh.MFA.VerifyChallenge(ctx, api.MfaChallengeRequest{
		MfaToken: mfa.MfaToken, Method: api.MfaChallengeMethodRecoveryCode, Code: codes.RecoveryCodes[0]})
	if err != nil {
		t.Fatalf("verify challenge: %v", err)
	}
	if tok, _ := fresh.Tokens(ctx); tok == nil || tok.AccessToken != res.Tokens.AccessToken {
		t.Fatal("the challenge's tokens were not stored")
	}
	if me, err := fresh.Auth.Me(ctx); err != nil || me.Email != email {
		t.Fatalf("me after MFA: %+v %v", me, err)
	}
}
