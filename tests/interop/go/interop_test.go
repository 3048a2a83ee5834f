// Package interop drives Janua as an OpenID Provider with github.com/coreos/go-oidc/v3 and
// golang.org/x/oauth2: discovery, the authorization code flow with PKCE (S256) through the
// hosted sign-in and consent pages, ID token verification (signature against the JWKS, iss,
// aud, expiry, nonce, at_hash), userinfo, refresh through a TokenSource, client_credentials,
// and introspection (RFC 7662), revocation (RFC 7009) and RP-initiated logout with plain
// net/http, since go-oidc has no helpers for them. Run by `nox -s interop`.
package interop

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

type registered struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

type config struct {
	Issuer       string     `json:"issuer"`
	Callback     string     `json:"callback"`
	SignedOut    string     `json:"signed_out"`
	Email        string     `json:"email"`
	Password     string     `json:"password"`
	Confidential registered `json:"confidential"`
	Public       registered `json:"public"`
}

type endpoints struct {
	Introspection string `json:"introspection_endpoint"`
	Revocation    string `json:"revocation_endpoint"`
	EndSession    string `json:"end_session_endpoint"`
}

func load(t *testing.T) config {
	t.Helper()
	path := os.Getenv("JANUA_INTEROP_CONFIG")
	if path == "" {
		t.Fatal("JANUA_INTEROP_CONFIG is not set: run through `nox -s interop`")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c config
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func random(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// browser keeps cookies (Secure ones too: http://localhost is a secure context for browsers),
// follows Janua's redirects one at a time and submits the hosted forms with their hidden fields.
type browser struct {
	t       *testing.T
	origin  *url.URL
	http    *http.Client
	cookies map[string]string
}

func newBrowser(t *testing.T, issuer string) *browser {
	origin, err := url.Parse(issuer)
	if err != nil {
		t.Fatal(err)
	}
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, origin: origin, http: &http.Client{CheckRedirect: noFollow}, cookies: map[string]string{}}
}

func (b *browser) do(method, target string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	u, err := b.origin.Parse(target)
	if err != nil {
		b.t.Fatal(err)
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.String(), body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp, string(page)
}

// untilLeaving follows redirects within Janua until one leaves for the client.
func (b *browser) untilLeaving(resp *http.Response, page string) (*http.Response, string) {
	for resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		next, err := b.origin.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.t.Fatal(err)
		}
		if next.Host != b.origin.Host {
			return resp, page
		}
		resp, page = b.do(http.MethodGet, next.String(), nil)
	}
	return resp, page
}

var inputPattern = regexp.MustCompile(`<input([^>]*)>`)
var namePattern = regexp.MustCompile(`name="([^"]*)"`)
var valuePattern = regexp.MustCompile(`value="([^"]*)"`)

func formFields(t *testing.T, page, action string) url.Values {
	t.Helper()
	start := strings.Index(page, `action="`+action+`"`)
	if start < 0 {
		t.Fatalf("no form posting to %s in %.300s", action, page)
	}
	form := page[start:]
	form = form[:strings.Index(form, "</form>")]
	fields := url.Values{}
	for _, input := range inputPattern.FindAllStringSubmatch(form, -1) {
		name := namePattern.FindStringSubmatch(input[1])
		if name == nil {
			continue
		}
		value := ""
		if v := valuePattern.FindStringSubmatch(input[1]); v != nil {
			value = html.UnescapeString(v[1])
		}
		fields.Set(name[1], value)
	}
	return fields
}

func (b *browser) submit(page, action string, values map[string]string) (*http.Response, string) {
	b.t.Helper()
	fields := formFields(b.t, page, action)
	for k, v := range values {
		fields.Set(k, v)
	}
	resp, next := b.do(http.MethodPost, action, fields)
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("POST %s answered %d, want 303", action, resp.StatusCode)
	}
	return b.untilLeaving(resp, next)
}

// authorize opens an authorization URL, signs in and consents when asked, and returns the
// redirect back to the client.
func (b *browser) authorize(authURL string, c config) *url.URL {
	b.t.Helper()
	resp, page := b.untilLeaving(b.do(http.MethodGet, authURL, nil))
	if strings.Contains(page, `action="/oauth/sign-in"`) {
		resp, page = b.submit(page, "/oauth/sign-in", map[string]string{"email": c.Email, "password": c.Password})
	}
	if strings.Contains(page, `action="/oauth/consent"`) {
		resp, page = b.submit(page, "/oauth/consent", map[string]string{"decision": "allow"})
	}
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("authorization ended with %d: %.300s", resp.StatusCode, page)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return back
}

func postForm(t *testing.T, endpoint string, c registered, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", endpoint, resp.StatusCode)
	}
	out := map[string]any{}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestCodeFlowWithPKCEThenEveryEndpoint(t *testing.T) {
	c := load(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, c.Issuer) // fails unless metadata names this issuer
	if err != nil {
		t.Fatal(err)
	}
	var extra endpoints
	if err := provider.Claims(&extra); err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{
		ClientID:     c.Confidential.ClientID,
		ClientSecret: c.Confidential.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  c.Callback,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess},
	}
	verifier, state, nonce := oauth2.GenerateVerifier(), random(t), random(t)
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))
	back := newBrowser(t, c.Issuer).authorize(authURL, c)
	if back.Query().Get("state") != state || back.Query().Get("iss") != c.Issuer {
		t.Fatalf("callback %s lacks state or iss (RFC 9207)", back)
	}

	token, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawIDToken, ok := token.Extra("id_token").(string)
	if !ok {
		t.Fatal("no id_token in the token response")
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, rawIDToken)
	if err != nil {
		t.Fatal(err)
	}
	if idToken.Nonce != nonce {
		t.Fatalf("nonce %q, want %q", idToken.Nonce, nonce)
	}
	if err := idToken.VerifyAccessToken(token.AccessToken); err != nil { // at_hash
		t.Fatal(err)
	}
	var claims struct {
		Email string   `json:"email"`
		AMR   []string `json:"amr"`
	}
	if err := idToken.Claims(&claims); err != nil || claims.Email != c.Email {
		t.Fatalf("claims %+v, %v", claims, err)
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		t.Fatal(err)
	}
	if info.Subject != idToken.Subject || info.Email != c.Email {
		t.Fatalf("userinfo %+v", info)
	}

	// Refresh through a TokenSource holding only the refresh token.
	refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if refreshed.AccessToken == token.AccessToken || refreshed.RefreshToken == token.RefreshToken {
		t.Fatal("refresh did not rotate the tokens")
	}

	introspected := postForm(t, extra.Introspection, c.Confidential, url.Values{"token": {refreshed.AccessToken}})
	if introspected["active"] != true || introspected["client_id"] != c.Confidential.ClientID {
		t.Fatalf("introspection %v", introspected)
	}
	postForm(t, extra.Revocation, c.Confidential, url.Values{
		"token": {refreshed.RefreshToken}, "token_type_hint": {"refresh_token"},
	})
	_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token()
	var retrieve *oauth2.RetrieveError
	if !errors.As(err, &retrieve) || retrieve.ErrorCode != "invalid_grant" {
		t.Fatalf("a revoked refresh token gave %v", err)
	}
}

func TestClientCredentials(t *testing.T) {
	c := load(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	cc := clientcredentials.Config{
		ClientID:     c.Confidential.ClientID,
		ClientSecret: c.Confidential.ClientSecret,
		TokenURL:     provider.Endpoint().TokenURL,
		Scopes:       []string{"api:read"},
	}
	token, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// An RFC 9068 access token, signed with a key from the JWKS.
	keys := oidc.NewRemoteKeySet(ctx, c.Issuer+"/.well-known/jwks.json")
	payload, err := keys.VerifySignature(ctx, token.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.ClientID != cc.ClientID || claims.Scope != "api:read" {
		t.Fatalf("claims %+v, %v", claims, err)
	}
}

func TestPublicClientThenLogout(t *testing.T) {
	c := load(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	var extra endpoints
	if err := provider.Claims(&extra); err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{
		ClientID:    c.Public.ClientID,
		Endpoint:    provider.Endpoint(),
		RedirectURL: c.Callback,
		Scopes:      []string{oidc.ScopeOpenID, "email"},
	}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	b := newBrowser(t, c.Issuer)
	verifier := oauth2.GenerateVerifier()
	back := b.authorize(conf.AuthCodeURL(random(t), oauth2.S256ChallengeOption(verifier)), c)
	token, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawIDToken, _ := token.Extra("id_token").(string)
	if _, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, rawIDToken); err != nil {
		t.Fatal(err)
	}
	logout := extra.EndSession + "?" + url.Values{
		"id_token_hint": {rawIDToken}, "post_logout_redirect_uri": {c.SignedOut}, "state": {"bye"},
	}.Encode()
	resp, _ := b.do(http.MethodGet, logout, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != c.SignedOut+"?state=bye" {
		t.Fatalf("logout answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	again := conf.AuthCodeURL(random(t), oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "none"))
	resp, _ = b.do(http.MethodGet, again, nil)
	after, _ := url.Parse(resp.Header.Get("Location"))
	if after.Query().Get("error") != "login_required" {
		t.Fatalf("after logout: %s", after)
	}
}
