//go:build e2e

package janua_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	janua "github.com/janua-dev/janua/sdks/go"
)

// The README's quick start: it runs against the server named by JANUA_BASE_URL in the e2e
// suite (`go test -tags e2e`), and a unit test checks the README quotes this body verbatim.
func Example() {
	ctx := context.Background()
	client, err := janua.New(os.Getenv("JANUA_BASE_URL")) // for example http://localhost:4100
	if err != nil {
		log.Fatal(err)
	}

	// Sign up, or sign in when the address is taken; the client keeps the tokens.
	const email, password = "gopher@example.com", "correct horse battery staple"
	_, err = client.Auth.Register(ctx, janua.RegisterParams{Email: email, Password: password})
	if errors.Is(err, janua.ErrConflict) {
		_, err = client.Auth.Login(ctx, janua.LoginParams{Email: email, Password: password})
	}
	var mfa *janua.MfaRequiredError
	switch {
	case errors.As(err, &mfa):
		log.Fatalf("second factor needed: one of %v", mfa.Methods)
	case errors.Is(err, janua.ErrAuthentication):
		log.Fatal("wrong email or password")
	case err != nil:
		log.Fatal(err) // *janua.Error: Status, Code, Detail, RequestID, FieldErrors
	}

	// Authenticated calls refresh the access token by themselves.
	me, err := client.Auth.Me(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", me.Email)

	// Lists are iterators that fetch the pages as they go.
	for session, err := range client.Sessions.List(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		if session.Current {
			fmt.Println("current session listed")
		}
	}
	// Output:
	// signed in as gopher@example.com
	// current session listed
}
