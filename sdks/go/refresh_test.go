package janua_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
)

// A refused refresh ends the sign-in, as in the TypeScript client: the tokens are cleared and
// later calls fail with a token error without refreshing again. A test server plays the API.

const (
	refreshPath = "/api/v1/auth/token/refresh"
	mePath      = "/api/v1/auth/me"
	rotatedPair = `{"access_token":"at-2","token_type":"Bearer","expires_in":900,` +
		`"refresh_token":"rt-2","refresh_token_expires_in":86400}`
	meUser = `{"id":"6f1c1d52-4b0e-4d7e-9a51-0d2b8d9a5c11","email":"ada@example.com",` +
		`"email_verified":true,"name":null,"locale":null,"timezone":null,"picture_url":null,` +
		`"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`
)

func problemJSON(status int, code string) string {
	return fmt.Sprintf(`{"type":"about:blank","title":%q,"status":%d,"code":%q}`, code, status, code)
}

// fakeAPI answers refreshes with refresh (swappable) and auth.me with a user for the bearer
// "at-2" and 401 TOKEN_ERROR otherwise, as the server does; it counts refreshes.
type fakeAPI struct {
	srv       *httptest.Server
	refreshes atomic.Int32
	mu        sync.Mutex
	refresh   http.HandlerFunc
	meAuth    []string // the Authorization header of every auth.me request
}

func newFakeAPI(t *testing.T, refresh http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{refresh: refresh}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case refreshPath:
			f.refreshes.Add(1)
			f.mu.Lock()
			h := f.refresh
			f.mu.Unlock()
			h(w, r)
		case mePath:
			f.mu.Lock()
			f.meAuth = append(f.meAuth, r.Header.Get("Authorization"))
			f.mu.Unlock()
			if r.Header.Get("Authorization") == "Bearer at-2" {
				writeJSON(w, http.StatusOK, meUser)
				return
			}
			writeJSON(w, http.StatusUnauthorized, problemJSON(401, "TOKEN_ERROR"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) setRefresh(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh = h
}

func (f *fakeAPI) lastMeAuth() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.meAuth[len(f.meAuth)-1]
}

func (f *fakeAPI) client(t *testing.T, opts ...janua.Option) *janua.Client {
	t.Helper()
	c, err := janua.New(f.srv.URL, append([]janua.Option{janua.WithMaxRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func answering(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }
}

func TestRefusedRefreshClearsTheTokens(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusBadRequest} {
		for name, access := range map[string]string{"expired": "", "refused access token": "at-1"} {
			t.Run(fmt.Sprintf("%d %s", status, name), func(t *testing.T) {
				ctx := context.Background()
				f := newFakeAPI(t, answering(status, problemJSON(status, "TOKEN_ERROR")))
				c := f.client(t, janua.WithTokens(access, "rt-1"))

				_, err := c.Auth.Me(ctx)
				var e *janua.Error
				if !errors.Is(err, janua.ErrToken) || !errors.As(err, &e) || e.Status != status {
					t.Fatalf("me: %v, want the refresh's %d TOKEN_ERROR", err, status)
				}
				if tok, err := c.Tokens(ctx); tok != nil || err != nil {
					t.Fatalf("tokens after a refused refresh: %+v %v, want none", tok, err)
				}

				// Later calls fail at once: no second refresh of the dead sign-in.
				if _, err := c.Auth.Me(ctx); !errors.Is(err, janua.ErrAuthentication) {
					t.Fatalf("me after: %v, want an authentication error", err)
				}
				if got := f.lastMeAuth(); got != "" {
					t.Fatalf("me after sent Authorization %q", got)
				}
				if _, err := c.Auth.Refresh(ctx); !errors.Is(err, janua.ErrToken) {
					t.Fatalf("Auth.Refresh after: %v, want ErrToken", err)
				}
				if n := f.refreshes.Load(); n != 1 {
					t.Fatalf("%d refresh requests, want 1", n)
				}
			})
		}
	}
}

func TestRefreshFailingOtherwiseKeepsTheTokens(t *testing.T) {
	hangUp := func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	cases := map[string]struct {
		refresh http.HandlerFunc
		kind    error
	}{
		"503":     {answering(http.StatusServiceUnavailable, problemJSON(503, "INTERNAL_ERROR")), janua.ErrServer},
		"429":     {answering(http.StatusTooManyRequests, problemJSON(429, "RATE_LIMIT_ERROR")), janua.ErrRateLimit},
		"network": {hangUp, janua.ErrNetwork},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeAPI(t, tc.refresh)
			c := f.client(t, janua.WithTokens("at-1", "rt-1"))

			if _, err := c.Auth.Me(ctx); !errors.Is(err, tc.kind) {
				t.Fatalf("me: %v, want %v", err, tc.kind)
			}
			tok, err := c.Tokens(ctx)
			if err != nil || tok == nil || tok.AccessToken != "at-1" || tok.RefreshToken != "rt-1" {
				t.Fatalf("tokens after a %s refresh: %+v %v, want them kept", name, tok, err)
			}

			f.setRefresh(answering(http.StatusOK, rotatedPair)) // the server is back
			if me, err := c.Auth.Me(ctx); err != nil || me.Email != "ada@example.com" {
				t.Fatalf("me once the server is back: %+v %v", me, err)
			}
			if n := f.refreshes.Load(); n != 2 {
				t.Fatalf("%d refresh requests, want 2", n)
			}
			if tok, _ := c.Tokens(ctx); tok == nil || tok.RefreshToken != "rt-2" {
				t.Fatalf("tokens after the refresh: %+v", tok)
			}
		})
	}
}

func TestConcurrentCallsShareOneRefusedRefresh(t *testing.T) {
	ctx := context.Background()
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(50 * time.Millisecond) // the other callers wait for this one refresh
		writeJSON(w, http.StatusUnauthorized, problemJSON(401, "TOKEN_ERROR"))
	})
	c := f.client(t, janua.WithTokens("", "rt-1"))

	const callers = 8
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Auth.Me(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, janua.ErrAuthentication) {
			t.Fatalf("me: %v, want an authentication error", err)
		}
	}
	if n := f.refreshes.Load(); n != 1 {
		t.Fatalf("%d refresh requests for %d concurrent calls, want 1", n, callers)
	}
	if tok, _ := c.Tokens(ctx); tok != nil {
		t.Fatalf("tokens after a refused refresh: %+v, want none", tok)
	}
}

func TestRefusedRefreshKeepsTokensStoredMeanwhile(t *testing.T) {
	ctx := context.Background()
	var c *janua.Client
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		// A sign-in lands while the refresh of the old pair is under way.
		_ = c.SetTokens(ctx, &janua.Tokens{AccessToken: "at-new", RefreshToken: "rt-new"})
		writeJSON(w, http.StatusUnauthorized, problemJSON(401, "TOKEN_ERROR"))
	})
	c = f.client(t, janua.WithTokens("", "rt-1"))
	if _, err := c.Auth.Me(ctx); !errors.Is(err, janua.ErrToken) {
		t.Fatalf("me: %v, want ErrToken", err)
	}
	if tok, _ := c.Tokens(ctx); tok == nil || tok.AccessToken != "at-new" || tok.RefreshToken != "rt-new" {
		t.Fatalf("tokens: %+v, want the pair stored meanwhile", tok)
	}
}
