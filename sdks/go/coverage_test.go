package janua

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The bundled spec (JSON), which codegen writes next to the server's generated models.
const bundledSpec = "../../server/src/janua_server/contract/openapi.json"

type specOperation struct {
	id, method, path string
	re               *regexp.Regexp
	literal          int // characters outside {params}: the more, the more specific
}

func loadSpecOperations(t *testing.T) []specOperation {
	t.Helper()
	raw, err := os.ReadFile(bundledSpec)
	if err != nil {
		t.Fatalf("reading the spec: %v", err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", bundledSpec, err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var ops []specOperation
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(rawOp, &op) != nil || op.OperationID == "" {
				continue // path-level parameters, summaries, ...
			}
			var pattern strings.Builder
			for i, literal := range param.Split(path, -1) {
				if i > 0 {
					pattern.WriteString(`[^/]*`)
				}
				pattern.WriteString(regexp.QuoteMeta(literal))
			}
			ops = append(ops, specOperation{
				id: op.OperationID, method: strings.ToUpper(method), path: path,
				re: regexp.MustCompile("^" + pattern.String() + "$"), literal: len(param.ReplaceAllString(path, "")),
			})
		}
	}
	return ops
}

// match finds the spec operation a request is for (the most specific path template).
func match(ops []specOperation, method, path string) (specOperation, bool) {
	var best specOperation
	found := false
	for _, op := range ops {
		if op.method == method && op.re.MatchString(path) && (!found || op.literal > best.literal) {
			best, found = op, true
		}
	}
	return best, found
}

// recorder answers every request 418 (neither a retry nor a refresh trigger) and remembers it.
type recorder struct {
	mu       sync.Mutex
	requests []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.requests = append(r.requests, req)
	r.mu.Unlock()
	return &http.Response{StatusCode: http.StatusTeapot, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func (r *recorder) take() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.requests
	r.requests = nil
	return out
}

// callEveryMethod calls every exported method of every namespace of c with placeholder
// arguments (iterators: pulled once) and returns, per "Namespace.Method", the requests it sent.
func callEveryMethod(t *testing.T, c *Client, rec *recorder) map[string][]*http.Request {
	t.Helper()
	sent := map[string][]*http.Request{}
	nsv := reflect.ValueOf(c.namespaces)
	for i := 0; i < nsv.NumField(); i++ {
		ns := nsv.Field(i)
		for j := 0; j < ns.NumMethod(); j++ {
			name := nsv.Type().Field(i).Name + "." + ns.Type().Method(j).Name
			m := ns.Method(j)
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			fixed := m.Type().NumIn()
			if m.Type().IsVariadic() {
				fixed-- // opts ...api.RequestEditorFn: none
			}
			for k := 1; k < fixed; k++ {
				arg := reflect.New(m.Type().In(k)).Elem()
				fillStrings(arg)
				args = append(args, arg)
			}
			out := m.Call(args)
			if len(out) == 1 && out[0].Kind() == reflect.Func { // iter.Seq2: pull one item
				yield := reflect.MakeFunc(out[0].Type().In(0), func([]reflect.Value) []reflect.Value {
					return []reflect.Value{reflect.ValueOf(false)}
				})
				out[0].Call([]reflect.Value{yield})
			}
			sent[name] = rec.take()
		}
	}
	return sent
}

// fillStrings sets every string of v (a zero value) to a placeholder that passes the
// generated types' own checks (openapi_types.Email validates when marshalled).
func fillStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x@example.com")
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				fillStrings(v.Field(i))
			}
		}
	}
}

// TestEveryOperationIsWired proves, from the requests the facade actually sends, that every
// operationId of the spec has a facade method, and that the operations table (what the
// generator wired) names the method that sends exactly that operation.
func TestEveryOperationIsWired(t *testing.T) {
	ops := loadSpecOperations(t)
	for _, problem := range coverageProblems(ops, sendAll(t)) {
		t.Error(problem)
	}
}

func sendAll(t *testing.T) map[string][]*http.Request {
	rec := &recorder{}
	c, err := New("http://janua.test", WithHTTPClient(&http.Client{Transport: rec}), WithMaxRetries(0),
		WithTokens("access", "refresh"))
	if err != nil {
		t.Fatal(err)
	}
	return callEveryMethod(t, c, rec)
}

// coverageProblems compares what each facade method sent with the spec and the table.
func coverageProblems(ops []specOperation, sent map[string][]*http.Request) []string {
	var problems []string
	reachedBy := map[string][]string{} // operationId -> facade methods sending it
	for name, requests := range sent {
		if len(requests) != 1 {
			problems = append(problems, fmt.Sprintf("%s sent %d requests, want 1", name, len(requests)))
			continue
		}
		req := requests[0]
		op, ok := match(ops, req.Method, req.URL.Path)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s sent %s %s, which is no operation of the spec", name, req.Method, req.URL.Path))
			continue
		}
		reachedBy[op.id] = append(reachedBy[op.id], name)
	}

	var missing []string
	for _, op := range ops {
		if len(reachedBy[op.id]) == 0 {
			missing = append(missing, op.id+" ("+op.method+" "+op.path+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d spec operations have no facade method (run `python -m codegen --only go`, then `go generate` in sdks/go):\n  %s",
			len(missing), len(ops), strings.Join(missing, "\n  ")))
	}

	// The table must agree with the wire: its method for an operation sends that operation.
	for id, entry := range operations {
		if !contains(reachedBy[id], entry.call) {
			problems = append(problems, fmt.Sprintf("operations[%q] says %s, but that method sends %v", id, entry.call, describe(sent[entry.call])))
		}
		if op, ok := findOp(ops, id); ok && (op.method != entry.op.method || op.path != entry.op.path) {
			problems = append(problems, fmt.Sprintf("%s is %s %s in the spec, %s %s in the facade", id, op.method, op.path, entry.op.method, entry.op.path))
		}
	}
	sort.Strings(problems)
	return problems
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func findOp(ops []specOperation, id string) (specOperation, bool) {
	for _, op := range ops {
		if op.id == id {
			return op, true
		}
	}
	return specOperation{}, false
}

func describe(requests []*http.Request) []string {
	var out []string
	for _, r := range requests {
		out = append(out, r.Method+" "+r.URL.Path)
	}
	return out
}

// The coverage check itself must fail when a method is missing or sends the wrong operation.
func TestCoverageCheckCatchesMissingAndMiswiredMethods(t *testing.T) {
	ops := loadSpecOperations(t)
	if op, _ := match(ops, "DELETE", "/api/v1/sessions/0b7c"); op.id != "revokeSession" {
		t.Fatalf("DELETE /api/v1/sessions/{id} matched %q, want revokeSession", op.id)
	}
	if op, _ := match(ops, "DELETE", "/api/v1/sessions"); op.id != "revokeOtherSessions" {
		t.Fatalf("DELETE /api/v1/sessions matched %q, want revokeOtherSessions", op.id)
	}

	// A method gone: its operation is reported missing.
	sent := sendAll(t)
	delete(sent, "Auth.Me")
	if got := strings.Join(coverageProblems(ops, sent), "\n"); !strings.Contains(got, "getCurrentUser (GET /api/v1/auth/me)") {
		t.Errorf("a missing Auth.Me was not reported; problems:\n%s", got)
	}

	// Two methods swapped (Me sends what UpdateMe should): both table entries are reported.
	sent = sendAll(t)
	sent["Auth.Me"], sent["Auth.UpdateMe"] = sent["Auth.UpdateMe"], sent["Auth.Me"]
	got := strings.Join(coverageProblems(ops, sent), "\n")
	for _, want := range []string{`operations["getCurrentUser"] says Auth.Me`, `operations["updateCurrentUser"] says Auth.UpdateMe`} {
		if !strings.Contains(got, want) {
			t.Errorf("miswiring not reported (%s); problems:\n%s", want, got)
		}
	}
}
