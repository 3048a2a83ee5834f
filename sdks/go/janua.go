// Package janua is the Go SDK for Janua, a self-hosted identity platform.
//
// The wire layer lives in package api and is generated from spec/openapi.yaml; this package
// only gives it sensible defaults. Every call takes a context.Context, and error answers are
// RFC 9457 problems decoded into api.Problem, whose Code field is stable.
package janua

import (
	"context"
	"net/http"
	"time"

	"github.com/janua-dev/janua/sdks/go/api"
)

// DefaultTimeout bounds a whole request when the caller brings no HTTP client of its own.
const DefaultTimeout = 30 * time.Second

// NewClient returns a client for the Janua server at baseURL (for example
// "http://localhost:4100"). Options are the generated ones, such as api.WithHTTPClient.
func NewClient(baseURL string, opts ...api.ClientOption) (*api.ClientWithResponses, error) {
	// http.Client's zero value never times out, so a stalled server would hang the caller;
	// an api.WithHTTPClient among opts comes later and replaces this default.
	defaults := []api.ClientOption{api.WithHTTPClient(&http.Client{Timeout: DefaultTimeout})}
	return api.NewClientWithResponses(baseURL, append(defaults, opts...)...)
}

// Bearer authenticates one call with an access token, for the operations that need one:
//
//	me, err := client.GetCurrentUserWithResponse(ctx, janua.Bearer(tokens.AccessToken))
func Bearer(accessToken string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+accessToken)
		return nil
	}
}
