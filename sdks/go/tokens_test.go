package janua_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	janua "github.com/janua-dev/janua/sdks/go"
)

// Printing or logging the token pair shows only each token's last four characters.
func TestTokensDoNotPrintTheirSecrets(t *testing.T) {
	const access, refresh = "eyJhbGciOiJSUzI1NiJ9.payload.signature-abcd", "refresh-secret-value-wxyz"
	tokens := &janua.Tokens{AccessToken: access, RefreshToken: refresh, ExpiresAt: time.Unix(0, 0)}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("signed in", "tokens", tokens)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("signed in", "tokens", *tokens)
	for _, shown := range []string{
		fmt.Sprint(tokens), fmt.Sprintf("%+v", tokens), fmt.Sprintf("%#v", *tokens),
		fmt.Sprintf("%+v", struct{ T janua.Tokens }{*tokens}), logged.String(),
	} {
		if strings.Contains(shown, access) || strings.Contains(shown, refresh) {
			t.Errorf("a token is printed: %s", shown)
		}
		if !strings.Contains(shown, "...abcd") || !strings.Contains(shown, "...wxyz") {
			t.Errorf("the tokens' last characters are missing: %s", shown)
		}
	}
	if got := fmt.Sprint(janua.Tokens{}); got != `Tokens{AccessToken:"" RefreshToken:"" ExpiresAt:unknown}` {
		t.Errorf("empty tokens print as %s", got)
	}
}

// A string variable becomes a RegisterParams email through janua.Email, without importing the
// wire layer's runtime types.
func TestRegisterTakesAnEmailVariable(t *testing.T) {
	address := "ada@example.com"
	params := janua.RegisterParams{Email: janua.Email(address), Password: "correct horse battery staple"}
	if string(params.Email) != address {
		t.Fatal(params.Email)
	}
}
