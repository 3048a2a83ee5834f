package janua_test

import (
	"os"
	"strings"
	"testing"
)

// The README's quick start is Example (example_test.go, run by the e2e suite against a live
// server): the README must quote its body verbatim, so the documented code is the tested code.
func TestReadmeQuotesTheExample(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, "func Example() {\n")
	end := strings.Index(text, "\t// Output:")
	if start < 0 || end < start {
		t.Fatal("example_test.go has no `func Example()` with an `// Output:` block")
	}
	body := text[start+len("func Example() {\n") : end]
	if !strings.Contains(string(readme), "func main() {\n"+body+"}\n") {
		t.Fatalf("README.md does not quote Example's body verbatim inside `func main() {`; paste:\n\nfunc main() {\n%s}", body)
	}
}
