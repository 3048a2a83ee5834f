package janua_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
	"github.com/janua-dev/janua/sdks/go/api"
)

func TestBearerSetsAuthorizationHeader(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	client, err := janua.NewClient(srv.URL)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	res, err := client.LogoutUserWithResponse(context.Background(), janua.Bearer("tok-123"))
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	if res.StatusCode() != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", res.StatusCode())
	}
	if got != "Bearer tok-123" {
		t.Fatalf("Authorization = %q, want %q", got, "Bearer tok-123")
	}
}

func TestNewClientDefaultsToATimeout(t *testing.T) {
	client, err := janua.NewClient("http://127.0.0.1:1")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	inner, ok := client.ClientInterface.(*api.Client)
	if !ok {
		t.Fatalf("ClientInterface is %T, want *api.Client", client.ClientInterface)
	}
	hc, ok := inner.Client.(*http.Client)
	if !ok || hc.Timeout != janua.DefaultTimeout {
		t.Fatalf("HTTP client = %#v, want *http.Client with Timeout %v", inner.Client, janua.DefaultTimeout)
	}
}

func TestCallerHTTPClientWins(t *testing.T) {
	mine := &http.Client{Timeout: 5 * time.Second}
	client, err := janua.NewClient("http://127.0.0.1:1", api.WithHTTPClient(mine))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if inner := client.ClientInterface.(*api.Client); inner.Client != mine {
		t.Fatalf("HTTP client = %#v, want the caller's", inner.Client)
	}
}
