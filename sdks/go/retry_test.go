package janua

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mock transports stand in for what a live server cannot produce on demand: Retry-After
// timing, dropped connections and stalls. Everything else runs in the e2e suite.

type step struct {
	status int
	header http.Header
	body   string
	err    error
}

type scripted struct {
	mu     sync.Mutex
	steps  []step
	bodies []string
	calls  int
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body := ""
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		body = string(b)
	}
	s.bodies = append(s.bodies, body)
	st := s.steps[min(s.calls, len(s.steps)-1)]
	s.calls++
	if st.err != nil {
		return nil, st.err
	}
	h := st.header
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: st.status, Header: h, Body: io.NopCloser(strings.NewReader(st.body)), Request: req}, nil
}

type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func withSleep(f func(context.Context, time.Duration) error) Option {
	return func(c *config) { c.sleep = f }
}

func scriptedClient(t *testing.T, rt http.RoundTripper, opts ...Option) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: rt}), withSleep(sl.sleep)}, opts...)
	c, err := New("http://janua.test", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

const healthOK = `{"status":"ok","version":"1"}`

func TestRetryAfterSecondsIsHonoured(t *testing.T) {
	rt := &scripted{steps: []step{
		{status: 429, header: http.Header{"Retry-After": {"2"}}, body: `{"code":"RATE_LIMIT_ERROR"}`},
		{status: 200, body: healthOK},
	}}
	c, sl := scriptedClient(t, rt)
	if _, err := c.Health.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rt.calls != 2 || len(sl.waits) != 1 || sl.waits[0] != 2*time.Second {
		t.Fatalf("calls %d, waits %v", rt.calls, sl.waits)
	}
}

func TestRetryAfterHTTPDateIsHonoured(t *testing.T) {
	when := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
	rt := &scripted{steps: []step{{status: 503, header: http.Header{"Retry-After": {when}}}, {status: 200, body: healthOK}}}
	c, sl := scriptedClient(t, rt)
	if _, err := c.Health.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sl.waits) != 1 || sl.waits[0] < 3*time.Second || sl.waits[0] > 5*time.Second {
		t.Fatalf("waits %v", sl.waits)
	}
}

func TestBackoffWithJitterWithoutRetryAfter(t *testing.T) {
	rt := &scripted{steps: []step{{status: 503}, {status: 503}, {status: 200, body: healthOK}}}
	c, sl := scriptedClient(t, rt)
	if _, err := c.Health.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sl.waits) != 2 {
		t.Fatalf("waits %v", sl.waits)
	}
	if w := sl.waits[0]; w < 250*time.Millisecond || w > 500*time.Millisecond {
		t.Errorf("first wait %v, want in [250ms, 500ms]", w)
	}
	if w := sl.waits[1]; w < 500*time.Millisecond || w > time.Second {
		t.Errorf("second wait %v, want in [500ms, 1s]", w)
	}
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		seen[backoff(3)] = true
	}
	if len(seen) < 10 {
		t.Errorf("backoff has no jitter: %v", seen)
	}
}

func TestRetriesGiveUpWithATypedError(t *testing.T) {
	rt := &scripted{steps: []step{{status: 429, header: http.Header{"Retry-After": {"1"}}, body: `{"code":"RATE_LIMIT_ERROR","status":429}`}}}
	c, sl := scriptedClient(t, rt, WithMaxRetries(3))
	_, err := c.Health.Check(context.Background())
	var e *Error
	if !errors.Is(err, ErrRateLimit) || !errors.As(err, &e) || e.RetryAfter != time.Second {
		t.Fatalf("got %v", err)
	}
	if rt.calls != 4 || len(sl.waits) != 3 {
		t.Fatalf("calls %d waits %v, want 4 calls (1 + 3 retries)", rt.calls, sl.waits)
	}
}

func TestLongRetryAfterIsNotWaitedFor(t *testing.T) {
	rt := &scripted{steps: []step{{status: 429, header: http.Header{"Retry-After": {"3600"}}, body: `{"code":"RATE_LIMIT_ERROR"}`}}}
	c, sl := scriptedClient(t, rt)
	_, err := c.Health.Check(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter != time.Hour || rt.calls != 1 || len(sl.waits) != 0 {
		t.Fatalf("err %v calls %d waits %v", err, rt.calls, sl.waits)
	}
}

func TestPostIsNotRetriedOnceSent(t *testing.T) {
	rt := &scripted{steps: []step{{err: io.ErrUnexpectedEOF}}}
	c, _ := scriptedClient(t, rt)
	_, err := c.Auth.Login(context.Background(), LoginParams{Email: "a@example.com", Password: "x"})
	if !errors.Is(err, ErrNetwork) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v", err)
	}
	if rt.calls != 1 {
		t.Fatalf("a POST that reached the server was sent %d times", rt.calls)
	}
}

func TestGetIsRetriedOnNetworkErrors(t *testing.T) {
	rt := &scripted{steps: []step{{err: io.ErrUnexpectedEOF}, {status: 200, body: healthOK}}}
	c, _ := scriptedClient(t, rt)
	if _, err := c.Health.Check(context.Background()); err != nil || rt.calls != 2 {
		t.Fatalf("err %v calls %d", err, rt.calls)
	}
}

func TestPostIsRetriedOn503WithTheSameBody(t *testing.T) {
	rt := &scripted{steps: []step{{status: 503}, {status: 200, body: `{"tokens":{"access_token":"a","expires_in":60,"refresh_token_expires_in":60,"token_type":"Bearer"},"user":{}}`}}}
	c, _ := scriptedClient(t, rt)
	if _, err := c.Auth.Login(context.Background(), LoginParams{Email: "a@example.com", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if rt.calls != 2 || rt.bodies[0] != rt.bodies[1] || !strings.Contains(rt.bodies[1], `"password":"pw"`) {
		t.Fatalf("calls %d bodies %q", rt.calls, rt.bodies)
	}
}

// countingTransport counts the attempts that go through the real network stack.
type countingTransport struct {
	mu    sync.Mutex
	calls int
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestPostIsRetriedWhenTheConnectionIsRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: a real "connection refused"
	rt := &countingTransport{}
	sl := &sleeps{}
	c, err := New("http://"+addr, WithHTTPClient(&http.Client{Transport: rt}), withSleep(sl.sleep), WithMaxRetries(2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Auth.Login(context.Background(), LoginParams{Email: "a@example.com", Password: "x"})
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("got %v", err)
	}
	if rt.calls != 3 {
		t.Fatalf("a refused POST was attempted %d times, want 3", rt.calls)
	}
}

func TestContextCancellationEndsAWaitAtOnce(t *testing.T) {
	rt := &scripted{steps: []step{{status: 503, header: http.Header{"Retry-After": {"30"}}}}}
	c, err := New("http://janua.test", WithHTTPClient(&http.Client{Transport: rt})) // real sleeps
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Health.Check(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
}

// stall never answers until the request's context ends.
type stall struct{ calls int }

func (s *stall) RoundTrip(req *http.Request) (*http.Response, error) {
	s.calls++
	<-req.Context().Done()
	return nil, req.Context().Err()
}

func TestTimeoutBoundsEachAttempt(t *testing.T) {
	rt := &stall{}
	c, _ := scriptedClient(t, rt, WithTimeout(30*time.Millisecond), WithMaxRetries(1))
	_, err := c.Health.Check(context.Background())
	if !errors.Is(err, ErrNetwork) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if rt.calls != 2 {
		t.Fatalf("attempts %d, want 2 (a GET that timed out is retried)", rt.calls)
	}
}

func TestDetailedHealth503IsAnAnswerNotARetry(t *testing.T) {
	rt := &scripted{steps: []step{{status: 503, body: `{"status":"degraded","version":"1","checks":{}}`}}}
	c, sl := scriptedClient(t, rt)
	h, err := c.Health.Detailed(context.Background())
	if err != nil || h == nil || rt.calls != 1 || len(sl.waits) != 0 {
		t.Fatalf("health %+v err %v calls %d waits %v", h, err, rt.calls, sl.waits)
	}
}
