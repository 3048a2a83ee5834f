package janua

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// Retry policy. Retried: a request that never reached the server (the dial failed: connection
// refused, DNS, connect timeout), whatever its method; other network errors only for idempotent
// methods (GET, HEAD, OPTIONS, PUT, DELETE); and 429 / 503 answers, which mean "not processed".
// Retry-After (seconds or an HTTP date) is honoured; otherwise exponential backoff with jitter.
const (
	// DefaultMaxRetries is how many times a call is retried after its first attempt.
	DefaultMaxRetries = 2
	initialBackoff    = 500 * time.Millisecond
	maxBackoff        = 8 * time.Second
	// A Retry-After longer than this is not waited for: the 429 / 503 is returned instead.
	maxRetryAfter = 60 * time.Second
)

var idempotentMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true,
	http.MethodPut: true, http.MethodDelete: true,
}

// retryTransport wraps the caller's transport with retries and a per-attempt timeout.
type retryTransport struct {
	next       http.RoundTripper
	maxRetries int
	timeout    time.Duration // per attempt, headers and body; 0 for none
	now        func() time.Time
	// sleep waits d or until ctx ends, whichever comes first.
	sleep func(ctx context.Context, d time.Duration) error
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is the wait before retry number attempt (0-based): "equal jitter" in [cap/2, cap].
func backoff(attempt int) time.Duration {
	capped := initialBackoff << attempt
	if capped > maxBackoff || capped <= 0 {
		capped = maxBackoff
	}
	return capped/2 + rand.N(capped/2+1)
}

// neverSent reports whether err happened before the request reached the server.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	noRetry := noRetryStatusesFrom(ctx)
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				if req.GetBody == nil {
					return nil, errors.New("janua: cannot retry a request whose body cannot be replayed")
				}
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		res, err := t.attempt(r)
		if err != nil {
			retryable := neverSent(err) || idempotentMethods[req.Method]
			if ctx.Err() != nil || attempt >= t.maxRetries || !retryable {
				return nil, err
			}
			if err := t.sleep(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if (res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusServiceUnavailable) ||
			noRetry[res.StatusCode] || attempt >= t.maxRetries {
			return res, nil
		}
		wait := backoff(attempt)
		if hint, ok := parseRetryAfter(res.Header.Get("Retry-After"), t.now()); ok {
			if hint > maxRetryAfter {
				return res, nil // not worth blocking on: let the caller decide
			}
			wait = hint
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		_ = res.Body.Close()
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends once, bounded by the per-attempt timeout (which also covers reading the body).
func (t *retryTransport) attempt(req *http.Request) (*http.Response, error) {
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	res, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	res.Body = &cancelOnClose{ReadCloser: res.Body, cancel: cancel}
	return res, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

type noRetryKey struct{}

// withNoRetryStatuses marks statuses that are a real answer of this operation (the detailed
// health report's 503), so the transport returns them instead of retrying.
func withNoRetryStatuses(ctx context.Context, statuses []int) context.Context {
	if len(statuses) == 0 {
		return ctx
	}
	m := make(map[int]bool, len(statuses))
	for _, s := range statuses {
		m[s] = true
	}
	return context.WithValue(ctx, noRetryKey{}, m)
}

func noRetryStatusesFrom(ctx context.Context) map[int]bool {
	m, _ := ctx.Value(noRetryKey{}).(map[int]bool)
	return m
}
