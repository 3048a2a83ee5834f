//go:build e2e

package e2e

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
	"github.com/janua-dev/janua/sdks/go/api"
	"github.com/oapi-codegen/runtime/types"
)

// The facade (janua.New) against the live server: namespaces, token handling, typed errors,
// iterators. Mock transports are used only in the unit tests, for what a server cannot do on
// demand; here, a counting wrapper around the real transport only observes.

func liveURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("JANUA_BASE_URL")
	if u == "" {
		t.Fatal("JANUA_BASE_URL is not set; point it at a running Janua server")
	}
	return u
}

// refreshCounter counts the refresh requests that go over the wire.
type refreshCounter struct{ n atomic.Int32 }

func (c *refreshCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/auth/token/refresh") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func newFacade(t *testing.T, opts ...janua.Option) *janua.Client {
	t.Helper()
	c, err := janua.New(liveURL(t), opts...)
	if err != nil {
		t.Fatalf("janua.New: %v", err)
	}
	return c
}

// signedUp registers a fresh user with a new client and returns the client and credentials.
func signedUp(t *testing.T, ctx context.Context) (*janua.Client, string, string, *api.AuthResponse) {
	t.Helper()
	c := newFacade(t)
	email := "go-facade-" + randomHex(t, 8) + "@example.com"
	password := "pw-" + randomHex(t, 12)
	res, err := c.Auth.Register(ctx, janua.RegisterParams{Email: types.Email(email), Password: password})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return c, email, password, res
}

func TestFacadeAccountsAndErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, email, password, reg := signedUp(t, ctx)

	tokens, err := c.Tokens(ctx)
	if err != nil || tokens == nil || tokens.AccessToken != reg.Tokens.AccessToken || tokens.RefreshToken != deref(reg.Tokens.RefreshToken) {
		t.Fatalf("register did not store its tokens: %+v %v", tokens, err)
	}
	if time.Until(tokens.ExpiresAt) < time.Minute {
		t.Errorf("tokens expire at %v, from expires_in %d", tokens.ExpiresAt, reg.Tokens.ExpiresIn)
	}

	me, err := c.Auth.Me(ctx)
	if err != nil || me.Email != email || me.Id != reg.User.Id {
		t.Fatalf("me: %+v %v", me, err)
	}
	name := "Ada Gopher"
	updated, err := c.Auth.UpdateMe(ctx, janua.UpdateMeParams{Name: &name})
	if err != nil || updated.Name == nil || *updated.Name != name {
		t.Fatalf("update me: %+v %v", updated, err)
	}

	// Typed errors, each with its status, code and request id.
	var e *janua.Error
	_, err = c.Auth.Register(ctx, janua.RegisterParams{Email: types.Email(email), Password: password})
	if !errors.Is(err, janua.ErrConflict) || !errors.As(err, &e) || e.Status != 409 || e.Code != "CONFLICT_ERROR" || e.RequestID == "" {
		t.Errorf("register twice: %v (%+v)", err, e)
	}
	_, err = newFacade(t).Auth.Login(ctx, janua.LoginParams{Email: email, Password: password + "-wrong"})
	if !errors.Is(err, janua.ErrAuthentication) || errors.Is(err, janua.ErrToken) {
		t.Errorf("wrong password: %v", err)
	}
	_, err = newFacade(t).Auth.Register(ctx, janua.RegisterParams{Email: types.Email("go-short-" + randomHex(t, 6) + "@example.com"), Password: "short"})
	if !errors.Is(err, janua.ErrValidation) || !errors.As(err, &e) || len(e.FieldErrors) == 0 {
		t.Errorf("invalid registration: %v (%+v)", err, e)
	} else if !strings.Contains(e.FieldErrors[0].Pointer, "password") {
		t.Errorf("field errors %+v, want the password named", e.FieldErrors)
	}
	// Built locally and refused before sending: not a network error.
	_, err = newFacade(t).Auth.Register(ctx, janua.RegisterParams{Email: "not-an-email", Password: password})
	if err == nil || errors.Is(err, janua.ErrNetwork) {
		t.Errorf("an unencodable email: %v", err)
	}
	var unknown types.UUID
	copy(unknown[:], "0123456789abcdef")
	if err := c.Sessions.Revoke(ctx, unknown); !errors.Is(err, janua.ErrNotFound) {
		t.Errorf("revoke an unknown session: %v", err)
	}
	if _, err := newFacade(t).Auth.Me(ctx); !errors.Is(err, janua.ErrAuthentication) {
		t.Errorf("me without tokens: %v", err)
	}

	// Sessions: three more sign-ins, walked one per page.
	for i := 0; i < 3; i++ {
		if _, err := newFacade(t).Auth.Login(ctx, janua.LoginParams{Email: email, Password: password}); err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
	}
	limit := 1
	seen := map[types.UUID]bool{}
	current := 0
	for s, err := range c.Sessions.List(ctx, &janua.ListSessionsParams{Limit: &limit}) {
		if err != nil {
			t.Fatalf("sessions: %v", err)
		}
		if seen[s.Id] {
			t.Fatalf("session %s listed twice", s.Id)
		}
		seen[s.Id] = true
		if s.Current {
			current++
		}
	}
	if len(seen) != 4 || current != 1 {
		t.Fatalf("walked %d sessions (%d current), want 4 (1 current)", len(seen), current)
	}
	page, err := c.Sessions.ListPage(ctx, &janua.ListSessionsParams{Limit: &limit})
	if err != nil || len(page.Data) != 1 || page.NextCursor == nil {
		t.Fatalf("one page: %+v %v", page, err)
	}
	// Breaking out of the loop stops fetching.
	n := 0
	for range c.Sessions.List(ctx, &janua.ListSessionsParams{Limit: &limit}) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("break: %d", n)
	}
	if err := c.Sessions.RevokeOthers(ctx); err != nil {
		t.Fatalf("revoke others: %v", err)
	}
	left := 0
	for _, err := range c.Sessions.List(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		left++
	}
	if left != 1 {
		t.Fatalf("%d sessions after revoking the others, want 1", left)
	}

	events := 0
	for _, err := range c.Auth.AuditEvents(ctx, nil) {
		if err != nil {
			t.Fatalf("audit events: %v", err)
		}
		events++
	}
	if events == 0 {
		t.Error("no audit events after a registration and four sign-ins")
	}

	if err := c.Auth.Logout(ctx); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if tok, _ := c.Tokens(ctx); tok != nil {
		t.Fatalf("tokens kept after logout: %+v", tok)
	}
	if _, err := c.Auth.Me(ctx); !errors.Is(err, janua.ErrAuthentication) {
		t.Fatalf("me after logout: %v", err)
	}
}

func TestFacadeConcurrentCallsShareOneRefresh(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, email, _, reg := signedUp(t, ctx)

	// Only a refresh token: every call needs a fresh access token first.
	counter := &refreshCounter{}
	c := newFacade(t, janua.WithTokens("", deref(reg.Tokens.RefreshToken)),
		janua.WithHTTPClient(&http.Client{Transport: counter}))
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			me, err := c.Auth.Me(ctx)
			if err == nil && me.Email != email {
				err = errors.New("wrong user " + me.Email)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent me: %v", err)
		}
	}
	// Refresh tokens are single-use with reuse detection: a second refresh with the same token
	// would have ended the session, and the calls above would have failed.
	if got := counter.n.Load(); got != 1 {
		t.Fatalf("%d refreshes for 12 concurrent calls, want 1", got)
	}
	tok, _ := c.Tokens(ctx)
	if tok.RefreshToken == deref(reg.Tokens.RefreshToken) || tok.AccessToken == "" {
		t.Fatalf("the pair was not rotated: %+v", tok)
	}
	if _, err := c.Auth.Me(ctx); err != nil || counter.n.Load() != 1 {
		t.Fatalf("after the refresh: %v, refreshes %d", err, counter.n.Load())
	}
}

// A store whose pair says the access token has expired (it has not, server-side): the
// client refreshes before sending, without a 401 round trip.
func TestFacadeRefreshesBeforeExpiry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, _, reg := signedUp(t, ctx)
	store := &janua.MemoryTokenStore{}
	_ = store.Set(ctx, &janua.Tokens{AccessToken: reg.Tokens.AccessToken, RefreshToken: deref(reg.Tokens.RefreshToken),
		ExpiresAt: time.Now().Add(10 * time.Second)}) // inside the 30 s skew
	counter := &refreshCounter{}
	c := newFacade(t, janua.WithTokenStore(store), janua.WithHTTPClient(&http.Client{Transport: counter}))
	if _, err := c.Auth.Me(ctx); err != nil {
		t.Fatal(err)
	}
	tok, _ := store.Get(ctx)
	if counter.n.Load() != 1 || tok.AccessToken == reg.Tokens.AccessToken {
		t.Fatalf("refreshes %d, token rotated %v", counter.n.Load(), tok.AccessToken != reg.Tokens.AccessToken)
	}
	// Auth.Refresh rotates on demand.
	before := tok.AccessToken
	after, err := c.Auth.Refresh(ctx)
	if err != nil || after.AccessToken == before || counter.n.Load() != 2 {
		t.Fatalf("refresh: %+v %v (refreshes %d)", after, err, counter.n.Load())
	}
}

// An access token the server rejects with 401 TOKEN_ERROR: one refresh, then the call again.
func TestFacadeRefreshesOnceAfterTokenError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, email, _, reg := signedUp(t, ctx)
	counter := &refreshCounter{}
	c := newFacade(t, janua.WithTokens("not-a-valid-access-token", deref(reg.Tokens.RefreshToken)),
		janua.WithHTTPClient(&http.Client{Transport: counter}))
	me, err := c.Auth.Me(ctx)
	if err != nil || me.Email != email || counter.n.Load() != 1 {
		t.Fatalf("me: %+v %v (refreshes %d)", me, err, counter.n.Load())
	}

	// With a dead refresh token the 401 comes back as a TokenError, after one attempt.
	dead := newFacade(t, janua.WithTokens("not-a-valid-access-token", deref(reg.Tokens.RefreshToken)),
		janua.WithHTTPClient(&http.Client{Transport: counter}))
	if _, err := dead.Auth.Me(ctx); !errors.Is(err, janua.ErrToken) {
		t.Fatalf("me with a used-up refresh token: %v", err)
	}
	if counter.n.Load() != 2 {
		t.Fatalf("refreshes %d, want 2", counter.n.Load())
	}
}

func TestFacadeHealthDiscoveryAndOrganizations(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _, _, _ := signedUp(t, ctx)
	if h, err := c.Health.Check(ctx); err != nil || h.Status == "" {
		t.Fatalf("health: %+v %v", h, err)
	}
	if h, err := c.Health.Detailed(ctx); err != nil || h == nil {
		t.Fatalf("detailed health: %+v %v", h, err)
	}
	conf, err := c.Discovery.OpenIDConfiguration(ctx)
	if err != nil || conf.Issuer == "" || conf.JwksUri == "" {
		t.Fatalf("discovery: %+v %v", conf, err)
	}
	if jwks, err := c.Discovery.JWKS(ctx); err != nil || len(jwks.Keys) == 0 {
		t.Fatalf("jwks: %+v %v", jwks, err)
	}

	slug := "go-" + randomHex(t, 6)
	org, err := c.Organizations.Create(ctx, api.CreateOrganizationRequest{Name: "Go Facade", Slug: slug})
	if err != nil {
		t.Fatalf("create organization: %v", err)
	}
	found := false
	for o, err := range c.Organizations.List(ctx, nil) {
		if err != nil {
			t.Fatalf("list organizations: %v", err)
		}
		found = found || o.Id == org.Id
	}
	if !found {
		t.Fatal("the new organization is not listed")
	}
	if got, err := c.Organizations.GetBySlug(ctx, slug); err != nil || got.Id != org.Id {
		t.Fatalf("get by slug: %+v %v", got, err)
	}
	// Switching stores the new pair, whose claims carry the organization.
	before, _ := c.Tokens(ctx)
	if _, err := c.Organizations.Switch(ctx, api.SwitchOrganizationRequest{OrganizationId: &org.Id}); err != nil {
		t.Fatalf("switch: %v", err)
	}
	after, _ := c.Tokens(ctx)
	if after.AccessToken == before.AccessToken {
		t.Fatal("switching organization did not store the new tokens")
	}
	v, err := janua.NewVerifier(ctx, janua.VerifierConfig{Issuer: conf.Issuer, Audience: "janua",
		JWKSURL: liveURL(t) + "/.well-known/jwks.json"}) // the published jwks_uri may name the public address
	if err != nil {
		t.Fatal(err)
	}
	claims, err := v.Verify(ctx, after.AccessToken)
	if err != nil || claims.OrgID != org.Id.String() {
		t.Fatalf("claims after switching: %+v %v", claims, err)
	}
	if err := c.Organizations.Delete(ctx, org.Id); err != nil {
		t.Fatalf("delete organization: %v", err)
	}
	if _, err := c.Organizations.GetBySlug(ctx, slug); !errors.Is(err, janua.ErrNotFound) {
		t.Fatalf("get a deleted organization: %v", err)
	}
}
