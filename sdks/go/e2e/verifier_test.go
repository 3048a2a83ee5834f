//go:build e2e

package e2e

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
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	janua "github.com/janua-dev/janua/sdks/go"
)

// The verifier against real tokens of the live server, and forgeries made from them.
func TestVerifierWithLiveTokens(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _, _, reg := signedUp(t, ctx)
	conf, err := c.Discovery.OpenIDConfiguration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jwksURL := liveURL(t) + "/.well-known/jwks.json"
	newVerifier := func(mutate func(*janua.VerifierConfig)) *janua.Verifier {
		cfg := janua.VerifierConfig{Issuer: conf.Issuer, Audience: "janua", JWKSURL: jwksURL}
		if mutate != nil {
			mutate(&cfg)
		}
		v, err := janua.NewVerifier(ctx, cfg)
		if err != nil {
			t.Fatalf("NewVerifier: %v", err)
		}
		return v
	}
	v := newVerifier(nil)
	token := reg.Tokens.AccessToken

	claims, err := v.Verify(ctx, token)
	if err != nil {
		t.Fatalf("a fresh access token: %v", err)
	}
	if claims.Subject != reg.User.Id.String() || claims.SessionID == "" || claims.ID == "" || claims.Issuer != conf.Issuer {
		t.Fatalf("claims %+v", claims)
	}
	if len(claims.AMR) == 0 || claims.AuthTime == nil {
		t.Errorf("amr %v auth_time %v", claims.AMR, claims.AuthTime)
	}

	invalid := func(v *janua.Verifier, token, why string) {
		t.Helper()
		if _, err := v.Verify(ctx, token); !errors.Is(err, janua.ErrInvalidToken) {
			t.Errorf("%s: got %v, want ErrInvalidToken", why, err)
		}
	}
	invalid(newVerifier(func(c *janua.VerifierConfig) { c.Audience = "another-service" }), token, "wrong audience")
	invalid(newVerifier(func(c *janua.VerifierConfig) { c.Issuer = "https://elsewhere.example.com" }), token, "wrong issuer")
	invalid(newVerifier(func(c *janua.VerifierConfig) {
		c.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	}), token, "expired (clock two hours on)")

	parts := strings.Split(token, ".")
	var header map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
	_ = json.Unmarshal(raw, &header)
	kid, _ := header["kid"].(string)
	if kid == "" || header["alg"] != "RS256" {
		t.Fatalf("header %v", header)
	}

	// Tampered payload (another subject) under the real signature; flipped signature bits.
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var body map[string]any
	_ = json.Unmarshal(payload, &body)
	body["sub"] = "00000000-0000-0000-0000-000000000000"
	forged, _ := json.Marshal(body)
	invalid(v, parts[0]+"."+base64.RawURLEncoding.EncodeToString(forged)+"."+parts[2], "tampered payload")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0xff
	invalid(v, parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(sig), "tampered signature")

	// alg none with the real claims and kid.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(body))
	none.Header["kid"] = kid
	s, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	invalid(v, s, "alg none")

	// HS256 keyed with the server's own public key (from its JWKS), PEM and DER.
	jwks, err := c.Discovery.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pub *rsa.PublicKey
	for _, k := range jwks.Keys {
		encoded, _ := json.Marshal(k)
		var jwk struct{ Kid, N, E string }
		_ = json.Unmarshal(encoded, &jwk)
		if jwk.Kid == kid {
			n, _ := base64.RawURLEncoding.DecodeString(jwk.N)
			e, _ := base64.RawURLEncoding.DecodeString(jwk.E)
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if pub == nil {
		t.Fatalf("kid %s not in the JWKS", kid)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	for name, secret := range map[string][]byte{
		"HS256 keyed with the PEM public key": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"HS256 keyed with the DER public key": der,
	} {
		hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(body))
		hs.Header["kid"] = kid
		s, _ := hs.SignedString(secret)
		invalid(v, s, name)
	}

	// A key the server never published (unknown kid: one re-fetch, then rejected).
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	unknown := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(body))
	unknown.Header["kid"] = "not-a-janua-key"
	s, _ = unknown.SignedString(other)
	invalid(v, s, "unknown kid")

	// The middleware, in front of a handler, with the live token.
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cl, _ := janua.ClaimsFrom(r.Context())
		_, _ = w.Write([]byte(cl.Subject))
	}))
	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != reg.User.Id.String() {
		t.Fatalf("middleware with a live token: %d %s", rec.Code, rec.Body)
	}
	req.Header.Set("Authorization", "Bearer "+s)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Fatalf("middleware with a forged token: %d %v", rec.Code, rec.Header())
	}
}
