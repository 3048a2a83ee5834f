package janua

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/janua-dev/janua/sdks/go/api"
)

// Client is the Janua client: one per server and signed-in user, safe for concurrent use.
// Its fields Auth, Sessions, Health, Discovery, Organizations, ... group the operations by
// spec tag; every method takes a context first and returns the generated model or a typed
// error (see Error).
type Client struct {
	namespaces // generated (operations.gen.go): one field per spec tag

	baseURL   string
	http      *http.Client
	raw       *api.Client
	wire      *api.ClientWithResponses
	store     TokenStore
	userAgent string
	now       func() time.Time

	mu       sync.Mutex
	inflight *refreshCall
}

// Option configures New.
type Option func(*config)

type config struct {
	httpClient      *http.Client
	timeout         time.Duration
	maxRetries      int
	store           TokenStore
	access, refresh string
	userAgent       string
	sleep           func(context.Context, time.Duration) error
}

// WithHTTPClient sends requests through hc (its Transport, Jar and CheckRedirect); the client
// adds its retries on top of hc's Transport. hc.Timeout, if set, bounds a call with its retries.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithTimeout bounds each attempt of a call, answer body included (default DefaultTimeout;
// 0 disables it). The call's context bounds the whole call, retries and waits included.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithTokens starts signed in with a token pair saved earlier. With only a refresh token, the
// first authenticated call refreshes.
func WithTokens(accessToken, refreshToken string) Option {
	return func(c *config) { c.access, c.refresh = accessToken, refreshToken }
}

// WithTokenStore keeps the token pair in store instead of memory. A pair already in the store
// is used; WithTokens, if also given, replaces it.
func WithTokenStore(store TokenStore) Option { return func(c *config) { c.store = store } }

// WithMaxRetries sets how many times a failed call is retried (default DefaultMaxRetries;
// 0 disables retries).
func WithMaxRetries(n int) Option { return func(c *config) { c.maxRetries = n } }

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "janua-go"

// New returns a client for the Janua server at baseURL (for example "http://localhost:4100").
func New(baseURL string, opts ...Option) (*Client, error) {
	cfg := config{timeout: DefaultTimeout, maxRetries: DefaultMaxRetries, userAgent: DefaultUserAgent, sleep: sleepCtx}
	for _, opt := range opts {
		opt(&cfg)
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("janua: base URL %q is not an absolute http(s) URL", baseURL)
	}
	if cfg.maxRetries < 0 {
		cfg.maxRetries = 0
	}
	hc := &http.Client{}
	if cfg.httpClient != nil {
		*hc = *cfg.httpClient // a copy: the caller's client keeps its own transport
	}
	// Redirect answers of the OAuth endpoints are results (their Location), not to be followed.
	checkRedirect := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.Context().Value(noRedirectKey{}) != nil {
			return http.ErrUseLastResponse
		}
		if checkRedirect != nil {
			return checkRedirect(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = &retryTransport{next: next, maxRetries: cfg.maxRetries, timeout: cfg.timeout, now: time.Now, sleep: cfg.sleep}

	c := &Client{baseURL: baseURL, http: hc, store: cfg.store, userAgent: cfg.userAgent, now: time.Now}
	if c.store == nil {
		c.store = &MemoryTokenStore{}
	}
	if t := initialTokens(cfg.access, cfg.refresh); t != nil {
		if err := c.store.Set(context.Background(), t); err != nil {
			return nil, fmt.Errorf("janua: storing the initial tokens: %w", err)
		}
	}
	if c.raw, err = api.NewClient(baseURL, api.WithHTTPClient(hc)); err != nil {
		return nil, err
	}
	c.wire = &api.ClientWithResponses{ClientInterface: c.raw}
	c.initNamespaces()
	return c, nil
}

// API is the generated client, sharing this client's HTTP settings and retries (not its
// token handling: pass Bearer(...) yourself), for anything the facade does not cover.
func (c *Client) API() *api.ClientWithResponses { return c.wire }

// Tokens is the current token pair, nil when signed out.
func (c *Client) Tokens(ctx context.Context) (*Tokens, error) { return c.store.Get(ctx) }

// SetTokens replaces the token pair (nil signs out locally).
func (c *Client) SetTokens(ctx context.Context, tokens *Tokens) error {
	return c.store.Set(ctx, tokens)
}

// ---------------------------------------------------------------------------------------------
// Plumbing shared by the generated methods.

// operation describes one spec operation, as the generated methods use it.
type operation struct {
	id, method, path string
	// public operations (`security: []`) carry no bearer token and never refresh.
	public bool
	// ok lists the non-2xx statuses whose body is a result, not an error (detailed health: 503).
	ok []int
}

func (op *operation) success(status int) bool {
	if status >= 200 && status < 300 {
		return true
	}
	for _, s := range op.ok {
		if s == status {
			return true
		}
	}
	return false
}

type sendFunc func(ctx context.Context, editors ...api.RequestEditorFn) (*http.Response, error)

// call sends op, refreshing tokens as needed, and decodes a successful answer into T.
func call[T any](ctx context.Context, c *Client, op *operation, send sendFunc) (*T, error) {
	res, body, err := c.do(ctx, op, send)
	if err != nil {
		return nil, err
	}
	var out T
	if len(body) > 0 {
		if err := json.Unmarshal(body, &out); err != nil {
			return nil, fmt.Errorf("janua: %s: decoding the %d answer: %w", op.id, res.StatusCode, err)
		}
	}
	if err := c.keepTokens(ctx, op, any(&out)); err != nil {
		return nil, err
	}
	return &out, nil
}

// callNoContent sends op, whose answer has no body worth decoding.
func callNoContent(ctx context.Context, c *Client, op *operation, send sendFunc) error {
	if _, _, err := c.do(ctx, op, send); err != nil {
		return err
	}
	return c.keepTokens(ctx, op, nil)
}

// callBytes sends op and returns its answer's body as sent (for answers that are not JSON).
func callBytes(ctx context.Context, c *Client, op *operation, send sendFunc) ([]byte, error) {
	_, body, err := c.do(ctx, op, send)
	return body, err
}

// callRedirect sends op without following its redirect and returns the Location.
func callRedirect(ctx context.Context, c *Client, op *operation, send sendFunc) (string, error) {
	res, _, err := c.do(context.WithValue(ctx, noRedirectKey{}, true), op, send)
	if err != nil {
		return "", err
	}
	return res.Header.Get("Location"), nil
}

type noRedirectKey struct{}

// keepTokens stores the tokens of a sign-in answer, and forgets them on logout.
func (c *Client) keepTokens(ctx context.Context, op *operation, result any) error {
	if op.id == "logoutUser" {
		return c.store.Set(ctx, nil)
	}
	var pair *api.TokenPair
	switch v := result.(type) {
	case *api.AuthResponse:
		pair = &v.Tokens
	case *api.TokenPair:
		pair = v
	default:
		return nil
	}
	previous := ""
	if cur, err := c.store.Get(ctx); err == nil && cur != nil {
		previous = cur.RefreshToken
	}
	return c.store.Set(ctx, tokensFrom(*pair, previous, c.now()))
}

// do sends op with the current access token; refreshes it first when it is about to expire,
// and once more (then resends) when the server answers 401 TOKEN_ERROR.
func (c *Client) do(ctx context.Context, op *operation, send sendFunc) (*http.Response, []byte, error) {
	ctx = withNoRetryStatuses(ctx, op.ok)
	var used *Tokens
	if !op.public {
		cur, err := c.store.Get(ctx)
		if err != nil {
			return nil, nil, err
		}
		if cur != nil && cur.RefreshToken != "" && cur.expiring(c.now()) {
			err := c.refreshIf(ctx, func(t *Tokens) bool { return t != nil && t.RefreshToken != "" && t.expiring(c.now()) })
			if err != nil {
				return nil, nil, err
			}
			if cur, err = c.store.Get(ctx); err != nil {
				return nil, nil, err
			}
		}
		used = cur
	}
	res, body, err := c.roundTrip(ctx, op, send, used)
	if err != nil {
		return nil, nil, err
	}
	if res.StatusCode == http.StatusUnauthorized && used != nil && used.RefreshToken != "" &&
		problemCode(body) == string(api.ErrorCodeTOKENERROR) {
		stale := used.AccessToken
		if err := c.refreshIf(ctx, func(t *Tokens) bool { return t != nil && t.AccessToken == stale }); err != nil {
			return nil, nil, err
		}
		if used, err = c.store.Get(ctx); err != nil {
			return nil, nil, err
		}
		if used == nil { // signed out meanwhile (e.g. another caller's refresh was refused)
			return nil, nil, errorFromResponse(res, body)
		}
		if res, body, err = c.roundTrip(ctx, op, send, used); err != nil {
			return nil, nil, err
		}
	}
	if !op.success(res.StatusCode) {
		return nil, nil, errorFromResponse(res, body)
	}
	return res, body, nil
}

func (c *Client) roundTrip(ctx context.Context, op *operation, send sendFunc, tokens *Tokens) (*http.Response, []byte, error) {
	editors := []api.RequestEditorFn{func(_ context.Context, req *http.Request) error {
		req.Header.Set("User-Agent", c.userAgent)
		if tokens != nil && tokens.AccessToken != "" {
			req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
		}
		return nil
	}}
	res, err := send(ctx, editors...)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, nil, err // the caller gave up: its own context error, not the network's
		}
		var sendErr *url.Error
		if !errors.As(err, &sendErr) { // never sent: the request could not be built
			return nil, nil, fmt.Errorf("janua: %s: %w", op.id, err)
		}
		return nil, nil, networkError(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, networkError(err)
	}
	return res, body, nil
}

// ---------------------------------------------------------------------------------------------
// Refresh: one at a time, shared by every caller that needs it.

type refreshCall struct {
	done chan struct{}
	err  error
}

// refreshIf refreshes the token pair when needed(current) holds, unless a refresh is already
// running, which it then waits for. The refresh request runs detached from ctx (a refresh token
// is single-use: abandoning its answer halfway would lose the session); ctx only ends the wait.
func (c *Client) refreshIf(ctx context.Context, needed func(*Tokens) bool) error {
	c.mu.Lock()
	running := c.inflight
	var cur *Tokens
	if running == nil {
		var err error
		if cur, err = c.store.Get(ctx); err != nil {
			c.mu.Unlock()
			return err
		}
		if !needed(cur) {
			c.mu.Unlock()
			return nil
		}
		if cur == nil || cur.RefreshToken == "" {
			c.mu.Unlock()
			return &Error{Status: http.StatusUnauthorized, Code: string(api.ErrorCodeTOKENERROR),
				Detail: "no refresh token to refresh with", kind: ErrToken}
		}
		running = &refreshCall{done: make(chan struct{})}
		c.inflight = running
		go func(before Tokens) {
			detached := context.WithoutCancel(ctx)
			_, err := c.refreshWith(detached, before.RefreshToken)
			if refused(err) {
				err = c.forget(detached, &before, err)
			}
			running.err = err
			c.mu.Lock()
			c.inflight = nil
			c.mu.Unlock()
			close(running.done)
		}(*cur)
	}
	c.mu.Unlock()
	select {
	case <-running.done:
		return running.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refused reports whether err is the server refusing the refresh token itself (revoked,
// reused or expired: a 401 or 400 TOKEN_ERROR answer). Network errors, 429 and 5xx are not:
// after them the tokens may still work.
func refused(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.kind == ErrToken &&
		(e.Status == http.StatusUnauthorized || e.Status == http.StatusBadRequest)
}

// forget clears the store after a refused refresh of before, unless it holds other tokens by
// now (a sign-in meanwhile): the sign-in is over, and later calls fail at once with a token
// error instead of refreshing the dead token again (as the TypeScript client does). It returns
// the refusal, joined with the store's error if clearing it failed.
func (c *Client) forget(ctx context.Context, before *Tokens, refusal error) error {
	now, err := c.store.Get(ctx)
	if err != nil {
		return errors.Join(refusal, err)
	}
	if now == nil || now.AccessToken != before.AccessToken || now.RefreshToken != before.RefreshToken {
		return refusal
	}
	if err := c.store.Set(ctx, nil); err != nil {
		return errors.Join(refusal, fmt.Errorf("janua: clearing the refused tokens: %w", err))
	}
	return refusal
}

// refreshWith rotates the pair with refreshToken and stores the new one (see keepTokens).
func (c *Client) refreshWith(ctx context.Context, refreshToken string) (*api.TokenPair, error) {
	return call[api.TokenPair](ctx, c, opRefreshToken, func(ctx context.Context, ed ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.RefreshToken(ctx, nil, api.RefreshRequest{RefreshToken: &refreshToken}, ed...)
	})
}

// Refresh rotates the stored token pair now (one refresh shared with concurrent callers) and
// returns the new one. Calls refresh by themselves; this is for callers that want to choose when.
func (s *AuthService) Refresh(ctx context.Context) (*Tokens, error) {
	var before string
	if cur, err := s.c.store.Get(ctx); err != nil {
		return nil, err
	} else if cur != nil {
		before = cur.AccessToken
	}
	if err := s.c.refreshIf(ctx, func(t *Tokens) bool { return t == nil || t.AccessToken == before }); err != nil {
		return nil, err
	}
	return s.c.store.Get(ctx)
}

// ---------------------------------------------------------------------------------------------
// Pagination.

// paginate walks a cursor-paginated list: it fetches a page, yields its items, and follows
// next_cursor until there is none. It stops at the first error, which it yields.
func paginate[P, L, E any](ctx context.Context, params *P, fetch func(context.Context, *P) (*L, error),
	items func(*L) []E, advance func(*P, *L) bool) iter.Seq2[E, error] {
	return func(yield func(E, error) bool) {
		var p P
		if params != nil {
			p = *params // the caller's params are not modified
		}
		for {
			page, err := fetch(ctx, &p)
			if err != nil {
				var zero E
				yield(zero, err)
				return
			}
			for _, item := range items(page) {
				if !yield(item, nil) {
					return
				}
			}
			if !advance(&p, page) {
				return
			}
		}
	}
}
