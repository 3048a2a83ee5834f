package janua_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	janua "github.com/janua-dev/janua/sdks/go"
)

// A stand-in issuer: the verifier is tested here against keys it can be handed on demand
// (rotation, expiry); the e2e suite checks it against a live server's real tokens.
type issuer struct {
	t       *testing.T
	mu      sync.Mutex
	keys    map[string]*rsa.PrivateKey
	fetches atomic.Int32
	srv     *httptest.Server
}

func newIssuer(t *testing.T) *issuer {
	is := &issuer{t: t, keys: map[string]*rsa.PrivateKey{}}
	is.addKey("k1")
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		var keys []map[string]string
		for kid, k := range is.keys {
			keys = append(keys, publicJWK(kid, &k.PublicKey))
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) addKey(kid string) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		is.t.Fatal(err)
	}
	is.mu.Lock()
	is.keys[kid] = k
	is.mu.Unlock()
	return k
}

func (is *issuer) claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": "https://id.example.com", "aud": "janua", "sub": "user-1", "sid": "sess-1", "jti": "j1",
		"iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "amr": []string{"pwd"}, "auth_time": now.Unix(),
		"org_id": "org-1", "org_role": "admin", "org_permissions": []string{"members:read"},
	}
}

func (is *issuer) sign(t *testing.T, kid string, claims jwt.MapClaims) string {
	t.Helper()
	is.mu.Lock()
	key := is.keys[kid]
	is.mu.Unlock()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (is *issuer) verifier(t *testing.T, mutate ...func(*janua.VerifierConfig)) *janua.Verifier {
	t.Helper()
	cfg := janua.VerifierConfig{Issuer: "https://id.example.com", Audience: "janua", JWKSURL: is.srv.URL}
	for _, m := range mutate {
		m(&cfg)
	}
	v, err := janua.NewVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifierAcceptsAValidToken(t *testing.T) {
	is := newIssuer(t)
	c, err := is.verifier(t).Verify(context.Background(), is.sign(t, "k1", is.claims()))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user-1" || c.SessionID != "sess-1" || c.ID != "j1" || len(c.AMR) != 1 || c.AuthTime == nil ||
		c.OrgID != "org-1" || c.OrgRole != "admin" || !c.HasPermission("members:read") || c.HasPermission("x") {
		t.Fatalf("claims %+v", c)
	}
}

func expectInvalid(t *testing.T, v *janua.Verifier, token, why string) {
	t.Helper()
	if _, err := v.Verify(context.Background(), token); !errors.Is(err, janua.ErrInvalidToken) {
		t.Errorf("%s: got %v, want ErrInvalidToken", why, err)
	}
}

func TestVerifierRejectsBadClaims(t *testing.T) {
	is := newIssuer(t)
	v := is.verifier(t)
	for why, mutate := range map[string]func(jwt.MapClaims){
		"expired":     func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() },
		"no exp":      func(c jwt.MapClaims) { delete(c, "exp") },
		"wrong aud":   func(c jwt.MapClaims) { c["aud"] = "someone-else" },
		"wrong iss":   func(c jwt.MapClaims) { c["iss"] = "https://evil.example.com" },
		"no sid":      func(c jwt.MapClaims) { delete(c, "sid") },
		"no sub":      func(c jwt.MapClaims) { delete(c, "sub") },
		"future iat":  func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() },
		"not yet nbf": func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() },
	} {
		claims := is.claims()
		mutate(claims)
		expectInvalid(t, v, is.sign(t, "k1", claims), why)
	}
	// The leeway covers small clock skew.
	claims := is.claims()
	claims["exp"] = time.Now().Add(-10 * time.Second).Unix()
	if _, err := v.Verify(context.Background(), is.sign(t, "k1", claims)); err != nil {
		t.Errorf("10 s past exp, within the 30 s leeway: %v", err)
	}
}

func TestVerifierRejectsForgedSignatures(t *testing.T) {
	is := newIssuer(t)
	v := is.verifier(t)
	good := is.sign(t, "k1", is.claims())
	parts := strings.Split(good, ".")

	// Tampered payload, original signature.
	forged := is.claims()
	forged["sub"] = "admin"
	payload, _ := json.Marshal(forged)
	expectInvalid(t, v, parts[0]+"."+base64.RawURLEncoding.EncodeToString(payload)+"."+parts[2], "tampered payload")

	// Tampered signature.
	sig := []byte(parts[2])
	sig[10] ^= 1
	expectInvalid(t, v, parts[0]+"."+parts[1]+"."+string(sig), "tampered signature")

	// alg none.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, is.claims())
	none.Header["kid"] = "k1"
	s, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	expectInvalid(t, v, s, "alg none")

	// HS256 keyed with the public key (the classic algorithm confusion), PEM and DER.
	is.mu.Lock()
	pub := &is.keys["k1"].PublicKey
	is.mu.Unlock()
	der, _ := x509.MarshalPKIXPublicKey(pub)
	for name, secret := range map[string][]byte{
		"HS256 with the PEM public key": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"HS256 with the DER public key": der,
	} {
		hs := jwt.NewWithClaims(jwt.SigningMethodHS256, is.claims())
		hs.Header["kid"] = "k1"
		s, _ := hs.SignedString(secret)
		expectInvalid(t, v, s, name)
	}

	// RS512 with the right key: the key says RS256, so the algorithm is not the key's.
	is.mu.Lock()
	priv := is.keys["k1"]
	is.mu.Unlock()
	rs := jwt.NewWithClaims(jwt.SigningMethodRS512, is.claims())
	rs.Header["kid"] = "k1"
	s, _ = rs.SignedString(priv)
	expectInvalid(t, is.verifier(t, func(c *janua.VerifierConfig) { c.Algorithms = []string{"RS256", "RS512"} }), s, "RS512 on an RS256 key")

	// A key the issuer never published, and no kid at all.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	stranger := jwt.NewWithClaims(jwt.SigningMethodRS256, is.claims())
	stranger.Header["kid"] = "k1"
	s, _ = stranger.SignedString(other)
	expectInvalid(t, v, s, "signed by another key under a known kid")
	delete(stranger.Header, "kid")
	s, _ = stranger.SignedString(other)
	expectInvalid(t, v, s, "no kid")
	expectInvalid(t, v, "not.a.jwt", "garbage")
}

func TestVerifierRejectsHMACConfiguration(t *testing.T) {
	is := newIssuer(t)
	_, err := janua.NewVerifier(context.Background(), janua.VerifierConfig{
		Issuer: "https://id.example.com", Audience: "janua", JWKSURL: is.srv.URL, Algorithms: []string{"HS256"}})
	if err == nil {
		t.Fatal("HS256 accepted as an algorithm")
	}
}

func TestVerifierFollowsKeyRotationWithARateLimit(t *testing.T) {
	is := newIssuer(t)
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	v := is.verifier(t, func(c *janua.VerifierConfig) { c.Now = clock; c.MinRefreshInterval = time.Minute })
	if got := is.fetches.Load(); got != 1 {
		t.Fatalf("fetches after NewVerifier: %d", got)
	}

	// Rotation: a token under a new kid makes the verifier re-fetch once.
	is.addKey("k2")
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	claims := is.claims()
	claims["iat"], claims["exp"] = clock().Unix(), clock().Add(time.Minute).Unix()
	if _, err := v.Verify(context.Background(), is.sign(t, "k2", claims)); err != nil {
		t.Fatalf("token of the rotated-in key: %v", err)
	}
	if got := is.fetches.Load(); got != 2 {
		t.Fatalf("fetches after rotation: %d, want 2", got)
	}

	// Unknown kids within the interval: rejected without hammering the JWKS endpoint.
	is.addKey("k3")
	for i := 0; i < 5; i++ {
		expectInvalid(t, v, is.sign(t, "k3", claims), "kid not yet fetched (rate-limited)")
	}
	if got := is.fetches.Load(); got != 2 {
		t.Fatalf("fetches during the rate limit: %d, want 2", got)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	claims["iat"], claims["exp"] = clock().Unix(), clock().Add(time.Minute).Unix()
	if _, err := v.Verify(context.Background(), is.sign(t, "k3", claims)); err != nil {
		t.Fatalf("after the interval the new kid is fetched: %v", err)
	}
}

func TestVerifierNeedsReachableKeys(t *testing.T) {
	if _, err := janua.NewVerifier(context.Background(), janua.VerifierConfig{
		Issuer: "https://id.example.com", Audience: "janua", JWKSURL: "http://127.0.0.1:1/jwks.json"}); err == nil {
		t.Fatal("an unreachable JWKS was accepted")
	}
	if _, err := janua.NewVerifier(context.Background(), janua.VerifierConfig{Issuer: "https://id.example.com"}); err == nil {
		t.Fatal("a missing audience was accepted")
	}
}

func TestMiddleware(t *testing.T) {
	is := newIssuer(t)
	v := is.verifier(t)
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := janua.ClaimsFrom(r.Context())
		if !ok {
			t.Error("no claims in the context")
			return
		}
		_, _ = w.Write([]byte(c.Subject))
	}))
	serve := func(auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := serve("Bearer " + is.sign(t, "k1", is.claims())); rec.Code != 200 || rec.Body.String() != "user-1" {
		t.Fatalf("valid token: %d %s", rec.Code, rec.Body)
	}
	expired := is.claims()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	for _, auth := range []string{"Bearer " + is.sign(t, "k1", expired), "Bearer nope"} {
		rec := serve(auth)
		if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Bearer error="invalid_token"` ||
			rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%q: %d %v", auth, rec.Code, rec.Header())
		}
	}
	for _, auth := range []string{"", "Basic dXNlcjpwdw=="} {
		if rec := serve(auth); rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%q: %d %v", auth, rec.Code, rec.Header())
		}
	}
}

func publicJWK(kid string, k *rsa.PublicKey) map[string]string {
	return map[string]string{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}
