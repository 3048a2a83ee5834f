// Package janua is the Go SDK for Janua, a self-hosted identity platform.
//
// New returns a Client whose fields group the spec's operations by tag (Client.Auth,
// Client.Sessions, Client.Organizations, ...). It keeps the signed-in user's token pair and
// refreshes it before it expires (and once after a 401 TOKEN_ERROR, one refresh shared by
// concurrent calls), retries network errors, 429 and 503 with backoff, turns error answers
// into typed errors (see Error), and walks cursor-paginated lists as iterators.
//
// Services that receive Janua access tokens check them with a Verifier (NewVerifier), or its
// net/http Middleware.
//
// The wire layer lives in package api and is generated from spec/openapi.yaml; Client.API
// gives it, and NewClient and Bearer remain for code written against it directly.
package janua

//go:generate go run ./internal/facadegen

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/janua-dev/janua/sdks/go/api"
	openapi_types "github.com/oapi-codegen/runtime/types"
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

// BasicAuth authenticates one call as an OAuth client (client_secret_basic, RFC 6749 section
// 2.3.1: id and secret form-encoded), for the OAuth operations that take client credentials:
//
//	tok, err := client.OAuth.Token(ctx, body, janua.BasicAuth(clientID, clientSecret))
func BasicAuth(clientID, clientSecret string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
		return nil
	}
}

// Parameter types of the most used calls, named after the facade's methods.
type (
	// Email is the type of RegisterParams.Email (and other `format: email` fields): convert a
	// string variable with janua.Email(s).
	Email = openapi_types.Email
	// RegisterParams is the body of Client.Auth.Register.
	RegisterParams = api.RegisterRequest
	// LoginParams is the body of Client.Auth.Login.
	LoginParams = api.LoginRequest
	// UpdateMeParams is the body of Client.Auth.UpdateMe.
	UpdateMeParams = api.UpdateUserRequest
	// ListSessionsParams are the page size and cursor of Client.Sessions.List.
	ListSessionsParams = api.ListSessionsParams
)
