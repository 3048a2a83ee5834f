package janua

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/janua-dev/janua/sdks/go/api"
)

// ExpirySkew: the access token is refreshed this long before it expires.
const ExpirySkew = 30 * time.Second

// Tokens is the token pair a Client signs its calls with.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	// ExpiresAt is when AccessToken expires; zero when unknown (then only a 401 refreshes).
	ExpiresAt time.Time
}

// String shows only the last four characters of each token, so that printing or logging a
// Tokens (fmt's %v and %+v) does not leak a credential.
func (t Tokens) String() string {
	expires := "unknown"
	if !t.ExpiresAt.IsZero() {
		expires = t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("Tokens{AccessToken:%s RefreshToken:%s ExpiresAt:%s}",
		redact(t.AccessToken), redact(t.RefreshToken), expires)
}

// GoString is String, for %#v.
func (t Tokens) GoString() string { return "janua." + t.String() }

// LogValue keeps the tokens out of log/slog output too (its JSON handler ignores String).
func (t Tokens) LogValue() slog.Value { return slog.StringValue(t.String()) }

func redact(token string) string {
	switch {
	case token == "":
		return `""`
	case len(token) <= 16:
		return `"..."`
	default:
		return `"...` + token[len(token)-4:] + `"`
	}
}

// expiring reports whether the access token is missing or expires within ExpirySkew.
func (t *Tokens) expiring(now time.Time) bool {
	if t.AccessToken == "" {
		return true
	}
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt.Add(-ExpirySkew))
}

// TokenStore keeps a Client's token pair between calls, for example in a keyring or a file
// for a CLI. Get returns nil when signed out; Set(ctx, nil) signs out. Implementations must be
// safe for concurrent use.
type TokenStore interface {
	Get(ctx context.Context) (*Tokens, error)
	Set(ctx context.Context, tokens *Tokens) error
}

// MemoryTokenStore is the default TokenStore: one token pair in memory.
type MemoryTokenStore struct {
	mu     sync.Mutex
	tokens *Tokens
}

func (s *MemoryTokenStore) Get(context.Context) (*Tokens, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		return nil, nil
	}
	t := *s.tokens
	return &t, nil
}

func (s *MemoryTokenStore) Set(_ context.Context, tokens *Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tokens == nil {
		s.tokens = nil
		return nil
	}
	t := *tokens
	s.tokens = &t
	return nil
}

// tokensFrom turns a TokenPair answer into Tokens; a pair without a refresh token (cookie
// transport) keeps the previous one.
func tokensFrom(pair api.TokenPair, previousRefresh string, now time.Time) *Tokens {
	t := &Tokens{AccessToken: pair.AccessToken, RefreshToken: previousRefresh}
	if pair.RefreshToken != nil {
		t.RefreshToken = *pair.RefreshToken
	}
	if pair.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(time.Duration(pair.ExpiresIn) * time.Second)
	}
	return t
}

// initialTokens builds the pair given to WithTokens. The access token's expiry is read from its
// `exp` claim (without verifying it: this client is its bearer, not its audience); with only a
// refresh token the first authenticated call refreshes.
func initialTokens(access, refresh string) *Tokens {
	if access == "" && refresh == "" {
		return nil
	}
	return &Tokens{AccessToken: access, RefreshToken: refresh, ExpiresAt: unverifiedExpiry(access)}
}

func unverifiedExpiry(jwt string) time.Time {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(claims.Exp), 0)
}
