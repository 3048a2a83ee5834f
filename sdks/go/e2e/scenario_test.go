//go:build e2e

package e2e

// The SDK end-to-end scenario, tests/e2e/scenario.md, step by step through the facade
// (janua.New), against the live server of `nox -s e2e` (JANUA_BASE_URL, mails spooled to
// JANUA_MAIL_DIR, a bootstrapped admin in JANUA_ADMIN_EMAIL / JANUA_ADMIN_PASSWORD). One subtest
// per step, in order; the first failing step ends the scenario (the later ones need its result).
// Its twins: sdks/typescript/test/scenario.e2e.test.ts, sdks/python/tests/test_scenario.py.

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
	"github.com/janua-dev/janua/sdks/go/api"
	"github.com/oapi-codegen/runtime/types"
)

// refusedWith fails unless err is a *janua.Error of kind sentinel with that status and code.
func refusedWith(t *testing.T, err error, sentinel error, status int, code string) {
	t.Helper()
	var e *janua.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &e) || e.Status != status || e.Code != code {
		t.Fatalf("got %v, want %v (%d %s)", err, sentinel, status, code)
	}
}

func TestScenario(t *testing.T) {
	baseURL := liveURL(t)
	env := map[string]string{}
	for _, name := range []string{"JANUA_MAIL_DIR", "JANUA_ADMIN_EMAIL", "JANUA_ADMIN_PASSWORD"} {
		if env[name] = os.Getenv(name); env[name] == "" {
			t.Fatalf("%s is not set: run `nox -s e2e`", name)
		}
	}
	mailDir := env["JANUA_MAIL_DIR"]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	tag := "scn-go-" + randomHex(t, 6)
	emailA, emailB := tag+"-a@example.com", tag+"-b@example.com"
	passwordA, passwordB := passphrase(t, "violet harbour"), passphrase(t, "amber meridian")

	a, b := newFacade(t), newFacade(t) // user A's and user B's clients
	// The SDK's verifier (step 19 describes it), for every step that reads a token's claims.
	conf, err := a.Discovery.OpenIDConfiguration(ctx)
	if err != nil {
		t.Fatalf("openid configuration: %v", err)
	}
	verifier, err := janua.NewVerifier(ctx, janua.VerifierConfig{
		Issuer: conf.Issuer, Audience: "janua", JWKSURL: baseURL + "/.well-known/jwks.json"})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	held := func(t *testing.T, c *janua.Client) *janua.Tokens {
		t.Helper()
		tokens, err := c.Tokens(ctx)
		if err != nil {
			t.Fatalf("token store: %v", err)
		}
		return tokens
	}
	claimsOf := func(t *testing.T, token string) *janua.Claims {
		t.Helper()
		claims, err := verifier.Verify(ctx, token)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		return claims
	}
	step := func(name string, run func(t *testing.T)) {
		if !t.Run(name, run) {
			t.FailNow()
		}
	}

	var (
		userA, userB   types.UUID
		t0             *janua.Tokens
		secret         string
		totpStep       int64
		organizationID types.UUID
	)

	step("01 register A", func(t *testing.T) {
		res, err := a.Auth.Register(ctx, janua.RegisterParams{Email: types.Email(emailA), Password: passwordA})
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		if res.User.Email != emailA || res.User.EmailVerified {
			t.Fatalf("user %+v", res.User)
		}
		if tok := held(t, a); tok == nil || tok.AccessToken != res.Tokens.AccessToken || tok.RefreshToken != deref(res.Tokens.RefreshToken) {
			t.Fatalf("held tokens %+v, not the answer's", tok)
		}
		userA = res.User.Id
	})

	step("02 verify A's email from the mail", func(t *testing.T) {
		token := waitForLinkToken(t, mailDir, emailA, "/verify-email", 0)
		if err := a.Auth.VerifyEmail(ctx, api.LinkTokenRequest{Token: token}); err != nil {
			t.Fatalf("verify email: %v", err)
		}
	})

	step("03 log in A", func(t *testing.T) {
		res, err := a.Auth.Login(ctx, janua.LoginParams{Email: emailA, Password: passwordA})
		if err != nil || res.User.Id != userA {
			t.Fatalf("login: %+v %v", res, err)
		}
		if tok := held(t, a); tok == nil || tok.AccessToken != res.Tokens.AccessToken || tok.RefreshToken != deref(res.Tokens.RefreshToken) {
			t.Fatalf("held tokens %+v, not the answer's", tok)
		}
	})

	step("04 me", func(t *testing.T) {
		me, err := a.Auth.Me(ctx)
		if err != nil || me.Id != userA || me.Email != emailA || !me.EmailVerified {
			t.Fatalf("me: %+v %v", me, err)
		}
	})

	step("05 refresh forced by expiry", func(t *testing.T) {
		t0 = held(t, a)
		expired := *t0
		expired.ExpiresAt = time.Now().Add(-time.Minute) // nothing waits
		if err := a.SetTokens(ctx, &expired); err != nil {
			t.Fatal(err)
		}
		if me, err := a.Auth.Me(ctx); err != nil || me.Email != emailA {
			t.Fatalf("me with an expired access token: %+v %v", me, err)
		}
		now := held(t, a)
		if now == nil || now.AccessToken == t0.AccessToken || now.RefreshToken == t0.RefreshToken {
			t.Fatalf("the client did not refresh by itself: %+v", now)
		}
	})

	step("06 the old refresh token is refused; the reuse ends the session", func(t *testing.T) {
		old := t0.RefreshToken
		_, err := a.Auth.RefreshToken(ctx, nil, api.RefreshRequest{RefreshToken: &old})
		refusedWith(t, err, janua.ErrToken, 401, "TOKEN_ERROR")
		_, err = a.Auth.Me(ctx)
		refusedWith(t, err, janua.ErrToken, 401, "TOKEN_ERROR")
	})

	step("07 log in A again", func(t *testing.T) {
		res, err := a.Auth.Login(ctx, janua.LoginParams{Email: emailA, Password: passwordA})
		if err != nil || res.User.Id != userA {
			t.Fatalf("login: %+v %v", res, err)
		}
	})

	step("08 enrol TOTP", func(t *testing.T) {
		setup, err := a.MFA.StartTotpSetup(ctx)
		if err != nil || setup.Secret == "" || !strings.HasPrefix(setup.OtpauthUri, "otpauth://totp/") {
			t.Fatalf("start TOTP setup: %+v %v", setup, err)
		}
		now := time.Now()
		codes, err := a.MFA.ConfirmTotpSetup(ctx, api.MfaCodeRequest{Code: totp(t, setup.Secret, now)})
		if err != nil {
			t.Fatalf("confirm TOTP setup: %v", err)
		}
		distinct := slices.Compact(slices.Sorted(slices.Values(codes.RecoveryCodes)))
		if len(codes.RecoveryCodes) != 10 || len(distinct) != 10 {
			t.Fatalf("recovery codes %v, want 10 different ones", codes.RecoveryCodes)
		}
		secret, totpStep = setup.Secret, now.Unix()/30
	})

	step("09 log out A", func(t *testing.T) {
		if err := a.Auth.Logout(ctx); err != nil {
			t.Fatalf("logout: %v", err)
		}
		if tok := held(t, a); tok != nil {
			t.Fatalf("tokens held after logout: %+v", tok)
		}
	})

	step("10 log in A with the second factor", func(t *testing.T) {
		_, err := a.Auth.Login(ctx, janua.LoginParams{Email: emailA, Password: passwordA})
		var mfa *janua.MfaRequiredError
		if !errors.As(err, &mfa) || mfa.Err.Status != 403 || mfa.Err.Code != "MFA_REQUIRED" || mfa.MfaToken == "" || !slices.Contains(mfa.Methods, "totp") {
			t.Fatalf("login with TOTP enrolled: %v (%+v)", err, mfa)
		}
		if tok := held(t, a); tok != nil {
			t.Fatalf("tokens held before the second factor: %+v", tok)
		}
		next := time.Unix((totpStep+1)*30, 0) // the next time step: step s was used in step 8
		res, err := a.MFA.VerifyChallenge(ctx, api.MfaChallengeRequest{
			MfaToken: mfa.MfaToken, Method: api.MfaChallengeMethodTotp, Code: totp(t, secret, next)})
		if err != nil || res.User.Id != userA {
			t.Fatalf("verify challenge: %+v %v", res, err)
		}
		tok := held(t, a)
		if tok == nil || tok.AccessToken != res.Tokens.AccessToken {
			t.Fatalf("held tokens %+v, not the answer's", tok)
		}
		if amr := claimsOf(t, tok.AccessToken).AMR; !slices.Contains(amr, "otp") || !slices.Contains(amr, "mfa") {
			t.Fatalf("amr %v, want otp and mfa", amr)
		}
	})

	step("11 A creates an organization", func(t *testing.T) {
		org, err := a.Organizations.Create(ctx, api.CreateOrganizationRequest{Name: "Scenario " + tag, Slug: tag})
		if err != nil || org.Slug != tag || deref(org.Role) != "owner" {
			t.Fatalf("create organization: %+v %v", org, err)
		}
		organizationID = org.Id
	})

	step("12 A invites B by email", func(t *testing.T) {
		role := "member"
		inv, err := a.Organizations.CreateInvitation(ctx, organizationID, api.CreateInvitationRequest{Email: types.Email(emailB), Role: &role})
		if err != nil || inv.Email != emailB || inv.Role != "member" || inv.Status != api.InvitationStatusPending || inv.OrganizationId != organizationID {
			t.Fatalf("invite: %+v %v", inv, err)
		}
	})

	step("13 B registers", func(t *testing.T) {
		res, err := b.Auth.Register(ctx, janua.RegisterParams{Email: types.Email(emailB), Password: passwordB})
		if err != nil || res.User.Email != emailB {
			t.Fatalf("register B: %+v %v", res, err)
		}
		userB = res.User.Id
	})

	step("14 B accepts from the invitation mail", func(t *testing.T) {
		token := waitForLinkToken(t, mailDir, emailB, "/accept-invitation", 0)
		org, err := b.Organizations.AcceptInvitation(ctx, api.LinkTokenRequest{Token: token})
		if err != nil || org.Id != organizationID || deref(org.Role) != "member" {
			t.Fatalf("accept: %+v %v", org, err)
		}
	})

	step("15 A lists the members, one per page", func(t *testing.T) {
		limit := 1
		roles := map[types.UUID]string{}
		count := 0
		for m, err := range a.Organizations.ListMembers(ctx, organizationID, &api.ListOrganizationMembersParams{Limit: &limit}) {
			if err != nil {
				t.Fatalf("members: %v", err)
			}
			roles[m.UserId] = m.Role
			count++
		}
		if count != 2 || roles[userA] != "owner" || roles[userB] != "member" {
			t.Fatalf("%d members, roles %v", count, roles)
		}
	})

	step("16 B switches to the organization", func(t *testing.T) {
		id := organizationID
		pair, err := b.Organizations.Switch(ctx, api.SwitchOrganizationRequest{OrganizationId: &id})
		if err != nil {
			t.Fatalf("switch: %v", err)
		}
		tok := held(t, b)
		if tok == nil || tok.AccessToken != pair.AccessToken {
			t.Fatalf("held tokens %+v, not the answer's", tok)
		}
		if c := claimsOf(t, tok.AccessToken); c.OrgID != organizationID.String() || c.OrgRole != "member" {
			t.Fatalf("org_id %q org_role %q", c.OrgID, c.OrgRole)
		}
	})

	step("17 B checks permissions", func(t *testing.T) {
		for permission, want := range map[string]bool{"members:read": true, "members:manage": false} {
			check, err := b.Organizations.CheckPermission(ctx, organizationID, &api.CheckOrganizationPermissionParams{Permission: permission})
			if err != nil || check.Granted != want {
				t.Fatalf("%s: %+v %v, want granted %v", permission, check, err, want)
			}
		}
	})

	step("18 the admin lists users, one per page", func(t *testing.T) {
		admin := newFacade(t)
		if _, err := admin.Auth.Login(ctx, janua.LoginParams{Email: env["JANUA_ADMIN_EMAIL"], Password: env["JANUA_ADMIN_PASSWORD"]}); err != nil {
			t.Fatalf("admin login: %v", err)
		}
		limit, q := 1, tag
		var emails []string
		for u, err := range admin.Users.List(ctx, &api.ListUsersParams{Q: &q, Limit: &limit}) {
			if err != nil {
				t.Fatalf("users: %v", err)
			}
			emails = append(emails, u.Email)
		}
		slices.Sort(emails)
		if want := []string{emailA, emailB}; !slices.Equal(emails, want) {
			t.Fatalf("users %v, want %v", emails, want)
		}
	})

	step("19 verify A's access token locally", func(t *testing.T) {
		c := claimsOf(t, held(t, a).AccessToken)
		if c.Subject != userA.String() || c.Issuer != conf.Issuer || !slices.Contains([]string(c.Audience), "janua") {
			t.Fatalf("sub %q iss %q aud %v", c.Subject, c.Issuer, c.Audience)
		}
	})

	step("20 log out A; the old access token is refused", func(t *testing.T) {
		old := held(t, a).AccessToken
		if err := a.Auth.Logout(ctx); err != nil {
			t.Fatalf("logout: %v", err)
		}
		if tok := held(t, a); tok != nil {
			t.Fatalf("tokens held after logout: %+v", tok)
		}
		_, err := newFacade(t, janua.WithTokens(old, "")).Auth.Me(ctx)
		refusedWith(t, err, janua.ErrToken, 401, "TOKEN_ERROR")
	})
}
