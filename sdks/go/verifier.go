package janua

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the claims of a Janua access token.
type Claims struct {
	jwt.RegisteredClaims // iss, sub, aud, exp, iat, jti (and nbf when present)
	// SessionID (`sid`) names the session the token belongs to.
	SessionID string `json:"sid"`
	// AMR (`amr`, RFC 8176) says how the user signed in ("pwd", "otp", ...).
	AMR []string `json:"amr,omitempty"`
	// AuthTime (`auth_time`) is when the user signed in.
	AuthTime *jwt.NumericDate `json:"auth_time,omitempty"`
	// OrgID, OrgRole and OrgPermissions describe the active organization, when there is one.
	OrgID          string   `json:"org_id,omitempty"`
	OrgRole        string   `json:"org_role,omitempty"`
	OrgPermissions []string `json:"org_permissions,omitempty"`
}

// HasPermission reports whether the active organization grants permission.
func (c *Claims) HasPermission(permission string) bool {
	for _, p := range c.OrgPermissions {
		if p == permission {
			return true
		}
	}
	return false
}

// VerifierConfig configures NewVerifier.
type VerifierConfig struct {
	// Issuer is the expected `iss`: the server's issuer (JWT_ISSUER, by default its base URL,
	// as published in /.well-known/openid-configuration). Required.
	Issuer string
	// Audience is the expected `aud` (the server's JWT_AUDIENCE, "janua" by default). Required.
	Audience string
	// JWKSURL is where the signing keys are published; default Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// HTTPClient fetches the JWKS (default: a client with a 10 s timeout).
	HTTPClient *http.Client
	// Algorithms the verifier accepts (default RS256, ES256, EdDSA). A token must also use
	// its key's own algorithm; `none` and HMAC algorithms are never accepted.
	Algorithms []string
	// Leeway tolerates clock skew on exp, nbf and iat (default 30 s).
	Leeway time.Duration
	// CacheTTL is how long fetched keys are trusted before a re-fetch (default 10 min; the
	// old keys stay in use if the re-fetch fails).
	CacheTTL time.Duration
	// MinRefreshInterval rate-limits the re-fetch an unknown `kid` triggers (default 30 s), so
	// a stream of forged kids cannot turn the verifier against the server.
	MinRefreshInterval time.Duration
	// Now replaces the clock (tests).
	Now func() time.Time
}

// ErrInvalidToken is matched (errors.Is) by every error Verify returns for a bad token.
var ErrInvalidToken = errors.New("janua: invalid access token")

// Verifier checks Janua access tokens for a service: signature against the server's JWKS
// (fetched, cached and re-fetched on an unknown kid, so key rotation just works), algorithm
// pinned to the key's, `iss`, `aud`, `exp` (and `nbf`, `iat`), and the presence of sub, jti
// and sid. Safe for concurrent use.
type Verifier struct {
	cfg     VerifierConfig
	allowed map[string]bool
	parser  *jwt.Parser

	mu        sync.RWMutex
	keys      map[string]jwk
	fetchedAt time.Time

	fetchMu     sync.Mutex
	lastAttempt time.Time
}

type jwk struct {
	alg string
	key crypto.PublicKey
}

var supportedAlgs = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true, "EdDSA": true,
}

// NewVerifier returns a verifier after fetching the JWKS once (so a wrong URL fails here).
func NewVerifier(ctx context.Context, cfg VerifierConfig) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("janua: VerifierConfig needs Issuer and Audience")
	}
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = strings.TrimRight(cfg.Issuer, "/") + "/.well-known/jwks.json"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = []string{"RS256", "ES256", "EdDSA"}
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 10 * time.Minute
	}
	if cfg.MinRefreshInterval == 0 {
		cfg.MinRefreshInterval = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	v := &Verifier{cfg: cfg, allowed: map[string]bool{}}
	for _, alg := range cfg.Algorithms {
		if !supportedAlgs[alg] {
			return nil, fmt.Errorf("janua: algorithm %q is not accepted (only asymmetric ones are)", alg)
		}
		v.allowed[alg] = true
	}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods(cfg.Algorithms),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
	)
	if err := v.fetch(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// Verify checks token and returns its claims. Errors for a bad token match ErrInvalidToken;
// other errors (the JWKS could not be fetched) do not.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	var fetchErr error
	claims := &Claims{}
	_, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("the token names no key (kid)")
		}
		key, ok, err := v.key(ctx, kid)
		if err != nil {
			fetchErr = err
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("unknown signing key %q", kid)
		}
		if t.Method.Alg() != key.alg {
			return nil, fmt.Errorf("algorithm %s is not its key's (%s)", t.Method.Alg(), key.alg)
		}
		return key.key, nil
	})
	if fetchErr != nil {
		return nil, fmt.Errorf("janua: fetching the JWKS: %w", fetchErr)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if claims.Subject == "" || claims.ID == "" || claims.SessionID == "" {
		return nil, fmt.Errorf("%w: sub, jti or sid missing", ErrInvalidToken)
	}
	return claims, nil
}

// key returns the key named kid, re-fetching the JWKS when kid is unknown (at most once per
// MinRefreshInterval) or the cache is older than CacheTTL.
func (v *Verifier) key(ctx context.Context, kid string) (jwk, bool, error) {
	v.mu.RLock()
	key, ok := v.keys[kid]
	fresh := v.cfg.Now().Sub(v.fetchedAt) < v.cfg.CacheTTL
	v.mu.RUnlock()
	if ok && fresh {
		return key, true, nil
	}
	v.fetchMu.Lock()
	// Another caller may have fetched while this one waited.
	v.mu.RLock()
	key, ok = v.keys[kid]
	fresh = v.cfg.Now().Sub(v.fetchedAt) < v.cfg.CacheTTL
	v.mu.RUnlock()
	if !(ok && fresh) && v.cfg.Now().Sub(v.lastAttempt) >= v.cfg.MinRefreshInterval {
		err := v.fetchLocked(ctx)
		if err != nil && !ok {
			v.fetchMu.Unlock()
			return jwk{}, false, err
		}
		v.mu.RLock()
		key, ok = v.keys[kid]
		v.mu.RUnlock()
	}
	v.fetchMu.Unlock()
	return key, ok, nil
}

func (v *Verifier) fetch(ctx context.Context) error {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	return v.fetchLocked(ctx)
}

func (v *Verifier) fetchLocked(ctx context.Context) error {
	v.lastAttempt = v.cfg.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("janua: JWKS %s: %w", v.cfg.JWKSURL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("janua: JWKS %s: %w", v.cfg.JWKSURL, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("janua: JWKS %s: %s", v.cfg.JWKSURL, res.Status)
	}
	keys, err := parseJWKS(body, v.allowed)
	if err != nil {
		return fmt.Errorf("janua: JWKS %s: %w", v.cfg.JWKSURL, err)
	}
	v.mu.Lock()
	v.keys, v.fetchedAt = keys, v.cfg.Now()
	v.mu.Unlock()
	return nil
}

// parseJWKS keeps the signature keys of a JWK set whose algorithm is allowed. A key without
// `alg` gets its type's usual one (RSA: RS256, EC: by curve, OKP Ed25519: EdDSA).
func parseJWKS(body []byte, allowed map[string]bool) (map[string]jwk, error) {
	var set struct {
		Keys []struct {
			Kid, Kty, Alg, Use, Crv, N, E, X, Y string
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("not a JWK set: %w", err)
	}
	keys := map[string]jwk{}
	for _, k := range set.Keys {
		if k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		var pub crypto.PublicKey
		alg := k.Alg
		switch k.Kty {
		case "RSA":
			n, errN := b64int(k.N)
			e, errE := b64int(k.E)
			if errN != nil || errE != nil || !e.IsInt64() || n.BitLen() < 2048 {
				continue
			}
			pub = &rsa.PublicKey{N: n, E: int(e.Int64())}
			if alg == "" {
				alg = "RS256"
			}
		case "EC":
			curves := map[string]struct {
				c   elliptic.Curve
				alg string
			}{"P-256": {elliptic.P256(), "ES256"}, "P-384": {elliptic.P384(), "ES384"}, "P-521": {elliptic.P521(), "ES512"}}
			cv, ok := curves[k.Crv]
			x, errX := b64int(k.X)
			y, errY := b64int(k.Y)
			if !ok || errX != nil || errY != nil || !cv.c.IsOnCurve(x, y) { //nolint:staticcheck // validation only
				continue
			}
			pub = &ecdsa.PublicKey{Curve: cv.c, X: x, Y: y}
			if alg == "" {
				alg = cv.alg
			}
		case "OKP":
			x, err := base64.RawURLEncoding.DecodeString(k.X)
			if k.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
				continue
			}
			pub = ed25519.PublicKey(x)
			if alg == "" {
				alg = "EdDSA"
			}
		default:
			continue
		}
		if allowed[alg] {
			keys[k.Kid] = jwk{alg: alg, key: pub}
		}
	}
	return keys, nil
}

func b64int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("bad base64url integer")
	}
	return new(big.Int).SetBytes(b), nil
}

// ---------------------------------------------------------------------------------------------
// net/http middleware.

type claimsKey struct{}

// ClaimsFrom returns the claims Middleware put in the request's context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// WithClaims returns ctx carrying claims (what Middleware does; useful in tests of handlers).
func WithClaims(ctx context.Context, claims *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, claims)
}

// Middleware lets a request through only with a valid `Authorization: Bearer <access token>`,
// its claims in the request context (ClaimsFrom). Otherwise it answers 401 with a problem+json
// body and `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 section 3; a request
// without any token gets a bare `Bearer` challenge, as section 3.1 asks), or 503 when the
// JWKS cannot be fetched.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeProblem(w, http.StatusUnauthorized, "TOKEN_ERROR", "An access token is required.")
			return
		}
		claims, err := v.Verify(r.Context(), token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				writeProblem(w, http.StatusServiceUnavailable, "INTERNAL_ERROR", "The token cannot be checked right now.")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, "TOKEN_ERROR", "The access token is invalid or expired.")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), claims)))
	})
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"code":   code,
		"detail": detail,
	})
}
