// Command facadegen writes operations.gen.go, the facade's methods: one per operation of the
// spec, on the namespace of its tag, calling the generated wire layer (api/api.gen.go).
//
// Inputs, relative to the module root (sdks/go):
//   - ../../server/src/janua_server/contract/openapi.json, the bundled spec: operationIds, tags,
//     security (public or bearer), summaries, method and path;
//   - api/api.gen.go, read with go/parser: the Go signature of each operation, its result type,
//     the statuses whose body is a result, and whether it is a cursor-paginated list;
//   - operations.txt: the facade's name for an operation ("loginUser Auth.Login"); an operation
//     without a line gets its tag as namespace and its operationId as method name.
//
// So a new spec operation costs nothing (or one line in operations.txt for a better name):
// `python -m codegen --only go` regenerates api.gen.go, then `go generate` (run in sdks/go)
// regenerates operations.gen.go; a unit test fails while it is stale.
//
// Usage (from sdks/go): go run ./internal/facadegen [-check]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const (
	specPath   = "../../server/src/janua_server/contract/openapi.json"
	apiPath    = "api/api.gen.go"
	namesPath  = "operations.txt"
	outputPath = "operations.gen.go"
)

func main() {
	check := flag.Bool("check", false, "fail if operations.gen.go is not up to date instead of writing it")
	root := flag.String("root", ".", "the module root (sdks/go)")
	flag.Parse()
	out, err := Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "facadegen:", err)
		os.Exit(1)
	}
	target := filepath.Join(*root, outputPath)
	if *check {
		current, _ := os.ReadFile(target)
		if !bytes.Equal(current, out) {
			fmt.Fprintf(os.Stderr, "facadegen: %s is stale; run `go generate` in sdks/go\n", target)
			os.Exit(1)
		}
		return
	}
	if err := os.WriteFile(target, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "facadegen:", err)
		os.Exit(1)
	}
}

// ---------------------------------------------------------------------------------------------
// Spec.

type specOp struct {
	ID        string            `json:"operationId"`
	Summary   string            `json:"summary"`
	Tags      []string          `json:"tags"`
	Security  *[]map[string]any `json:"security"`
	Responses map[string]struct {
		Content map[string]json.RawMessage `json:"content"`
		Headers map[string]json.RawMessage `json:"headers"`
	} `json:"responses"`
	method string
	path   string
}

type spec struct {
	Security *[]map[string]any `json:"security"`
	Tags     []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tags"`
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true}

func loadSpec(path string) (*spec, []*specOp, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var ops []*specOp
	for p, item := range s.Paths {
		for m, rawOp := range item {
			if !httpMethods[m] {
				continue
			}
			op := &specOp{method: strings.ToUpper(m), path: p}
			if err := json.Unmarshal(rawOp, op); err != nil {
				return nil, nil, fmt.Errorf("%s %s: %w", m, p, err)
			}
			if op.ID != "" {
				ops = append(ops, op)
			}
		}
	}
	return &s, ops, nil
}

// schemes lists the security schemes op accepts (none: a public operation).
func (s *spec) schemes(op *specOp) []string {
	sec := op.Security
	if sec == nil {
		sec = s.Security
	}
	var out []string
	if sec != nil {
		for _, requirement := range *sec {
			for name := range requirement {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// userBearer is the scheme of the signed-in user's access token, which the client manages.
const userBearer = "bearerAuth"

// ---------------------------------------------------------------------------------------------
// Wire layer.

type wire struct {
	funcs map[string]*ast.FuncDecl // methods of *Client
	types map[string]*ast.TypeSpec
}

func loadWire(path string) (*wire, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	w := &wire{funcs: map[string]*ast.FuncDecl{}, types: map[string]*ast.TypeSpec{}}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil && len(d.Recv.List) == 1 {
				if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); ok {
					if id, ok := star.X.(*ast.Ident); ok && id.Name == "Client" {
						w.funcs[d.Name.Name] = d
					}
				}
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				if ts, ok := sp.(*ast.TypeSpec); ok {
					w.types[ts.Name.Name] = ts
				}
			}
		}
	}
	return w, nil
}

// structOf is the struct behind a (possibly pointer, possibly aliased) named type.
func (w *wire) structOf(expr ast.Expr) *ast.StructType {
	for i := 0; i < 10; i++ {
		switch e := expr.(type) {
		case *ast.StarExpr:
			expr = e.X
		case *ast.Ident:
			ts := w.types[e.Name]
			if ts == nil {
				return nil
			}
			expr = ts.Type
		case *ast.StructType:
			return e
		default:
			return nil
		}
	}
	return nil
}

func field(st *ast.StructType, name string) ast.Expr {
	if st == nil {
		return nil
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				return f.Type
			}
		}
	}
	return nil
}

// render prints a type of package api as seen from package janua.
type renderer struct{ imports map[string]bool }

func (r *renderer) render(expr ast.Expr) string {
	switch e := expr.(type) {
	case *ast.Ident:
		if ast.IsExported(e.Name) {
			return "api." + e.Name
		}
		return e.Name
	case *ast.StarExpr:
		return "*" + r.render(e.X)
	case *ast.ArrayType:
		return "[]" + r.render(e.Elt)
	case *ast.MapType:
		return "map[" + r.render(e.Key) + "]" + r.render(e.Value)
	case *ast.Ellipsis:
		return "..." + r.render(e.Elt)
	case *ast.InterfaceType:
		return "any"
	case *ast.SelectorExpr:
		pkg := e.X.(*ast.Ident).Name
		r.imports[pkg] = true
		return pkg + "." + e.Sel.Name
	}
	panic(fmt.Sprintf("facadegen: unsupported type expression %T", expr))
}

// resolveAlias follows `type X = Y` for the parameter types (LoginUserJSONRequestBody -> LoginRequest).
func (w *wire) resolveAlias(expr ast.Expr) ast.Expr {
	for i := 0; i < 10; i++ {
		id, ok := expr.(*ast.Ident)
		if !ok {
			return expr
		}
		ts := w.types[id.Name]
		if ts == nil || !ts.Assign.IsValid() {
			return expr
		}
		expr = ts.Type
	}
	return expr
}

// ---------------------------------------------------------------------------------------------
// Names.

var nameLine = regexp.MustCompile(`^([A-Za-z0-9_]+)\s+([A-Z][A-Za-z0-9]*)\.([A-Za-z][A-Za-z0-9]*)$`)

func loadNames(path string) (map[string][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string][2]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		m := nameLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: want `operationId Namespace.Method`, got %q", path, n, line)
		}
		if _, dup := names[m[1]]; dup {
			return nil, fmt.Errorf("%s:%d: %s named twice", path, n, m[1])
		}
		names[m[1]] = [2]string{m[2], m[3]}
	}
	return names, sc.Err()
}

// initialisms are spelled the Go way in default names (tag "oauth": Client.OAuth).
var initialisms = map[string]string{"oauth": "OAuth", "mfa": "MFA", "oidc": "OIDC", "saml": "SAML", "sso": "SSO"}

func pascal(s string) string {
	if v, ok := initialisms[s]; ok {
		return v
	}
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' || r == ' ' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ---------------------------------------------------------------------------------------------
// Generation.

type param struct{ name, typ string }

type method struct {
	op         *specOp
	ns, name   string
	goName     string // the operation's name in package api
	rawFunc    string // the *api.Client method called
	params     []param
	result     string // "" when the answer has no JSON body
	raw        bool   // the answer's body is not JSON (an NDJSON export): returned as bytes
	redirect   bool   // the answer is a redirect (OAuth endpoints): its Location is returned
	ok         []int
	public     bool     // the client sends no user token (the caller may pass credentials)
	schemes    []string // other credentials the operation takes, passed by the caller
	page       bool
	item       string // element type of a page's data
	cursorType string // type of the params' Cursor field
}

var jsonField = regexp.MustCompile(`^JSON(\d{3})$`)

// Generate returns the content of operations.gen.go for the module at root.
func Generate(root string) ([]byte, error) {
	s, ops, err := loadSpec(filepath.Join(root, specPath))
	if err != nil {
		return nil, err
	}
	w, err := loadWire(filepath.Join(root, apiPath))
	if err != nil {
		return nil, err
	}
	names, err := loadNames(filepath.Join(root, namesPath))
	if err != nil {
		return nil, err
	}
	r := &renderer{imports: map[string]bool{}}
	var methods []*method
	var missing []string
	seen := map[string]string{}
	for _, op := range ops {
		goName := pascal(op.ID)
		m := &method{op: op, goName: goName, public: true}
		for _, scheme := range s.schemes(op) {
			if scheme == userBearer {
				m.public = false
			} else {
				m.schemes = append(m.schemes, scheme)
			}
		}
		if n, ok := names[op.ID]; ok {
			m.ns, m.name = n[0], n[1]
		} else {
			tag := "default"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			m.ns, m.name = pascal(tag), goName
		}
		for _, candidate := range []string{goName, goName + "WithFormdataBody", goName + "WithBody"} {
			if w.funcs[candidate] != nil {
				m.rawFunc = candidate
				break
			}
		}
		if m.rawFunc == "" {
			missing = append(missing, op.ID)
			continue
		}
		params := w.funcs[m.rawFunc].Type.Params.List
		for _, f := range params[1 : len(params)-1] { // drop ctx and reqEditors
			typ := r.render(w.resolveAlias(f.Type))
			for _, n := range f.Names {
				m.params = append(m.params, param{n.Name, typ})
			}
		}
		if resp := w.structOf(&ast.Ident{Name: goName + "Response"}); resp != nil {
			type jf struct {
				status int
				typ    string
				expr   ast.Expr
			}
			var fields []jf
			for _, f := range resp.Fields.List {
				for _, n := range f.Names {
					if sm := jsonField.FindStringSubmatch(n.Name); sm != nil {
						status, _ := strconv.Atoi(sm[1])
						fields = append(fields, jf{status, r.render(f.Type), f.Type})
					}
				}
			}
			sort.Slice(fields, func(i, j int) bool { return fields[i].status < fields[j].status })
			var resultExpr ast.Expr
			for _, f := range fields {
				if f.status >= 200 && f.status < 300 {
					m.result, resultExpr = strings.TrimPrefix(f.typ, "*"), f.expr
					break
				}
			}
			for status, r := range op.Responses {
				if strings.HasPrefix(status, "3") && r.Headers["Location"] != nil {
					m.redirect = true
					code, _ := strconv.Atoi(status)
					m.ok = append(m.ok, code)
				}
			}
			sort.Ints(m.ok)
			if m.result == "" && !m.redirect {
				for status, r := range op.Responses {
					if strings.HasPrefix(status, "2") && len(r.Content) > 0 {
						m.raw = true
					}
				}
			}
			for _, f := range fields {
				if (f.status < 200 || f.status >= 300) && m.result != "" && strings.TrimPrefix(f.typ, "*") == m.result {
					m.ok = append(m.ok, f.status)
				}
			}
			// Cursor pagination: {data: [...], next_cursor} answered to `params` with a Cursor.
			if resultExpr != nil && len(m.params) > 0 && m.params[len(m.params)-1].name == "params" {
				list := w.structOf(resultExpr)
				data, next := field(list, "Data"), field(list, "NextCursor")
				last := params[len(params)-2]
				cursor := field(w.structOf(last.Type), "Cursor")
				if arr, ok := data.(*ast.ArrayType); ok && next != nil && cursor != nil {
					m.page, m.item, m.cursorType = true, r.render(arr.Elt), r.render(cursor)
				}
			}
		}
		key := m.ns + "." + m.name
		if other, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s and %s are both named %s; name one in %s", other, op.ID, key, namesPath)
		}
		seen[key] = op.ID
		if m.page {
			seen[key+"Page"] = op.ID
		}
		methods = append(methods, m)
	}
	for id := range names {
		if !containsOp(ops, id) {
			return nil, fmt.Errorf("%s names %s, which the spec does not have", namesPath, id)
		}
	}
	sort.Slice(methods, func(i, j int) bool {
		if methods[i].ns != methods[j].ns {
			return methods[i].ns < methods[j].ns
		}
		return methods[i].name < methods[j].name
	})
	sort.Strings(missing)
	return emit(s, methods, missing, r.imports)
}

func containsOp(ops []*specOp, id string) bool {
	for _, op := range ops {
		if op.ID == id {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func emit(s *spec, methods []*method, missing []string, imports map[string]bool) ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// Code generated by internal/facadegen from the spec and api/api.gen.go. DO NOT EDIT.\n")
	p("// Regenerate with `go generate` in sdks/go; names of operations are in operations.txt.\n\n")
	p("package janua\n\nimport (\n\t\"context\"\n\t\"net/http\"\n")
	if hasPage(methods) {
		p("\t\"iter\"\n")
	}
	if imports["io"] {
		p("\t\"io\"\n")
	}
	p("\n\t\"github.com/janua-dev/janua/sdks/go/api\"\n")
	if imports["openapi_types"] {
		p("\topenapi_types \"github.com/oapi-codegen/runtime/types\"\n")
	}
	p(")\n\n")
	if len(missing) > 0 {
		p("// Not wired yet (in the spec, not yet in api/api.gen.go: run `python -m codegen --only go`):\n")
		for _, id := range missing {
			p("//   - %s\n", id)
		}
		p("\n")
	}

	// Namespaces.
	tagDoc := map[string]string{}
	for _, t := range s.Tags {
		tagDoc[pascal(t.Name)] = oneLine(t.Description)
	}
	var nss []string
	nsSeen := map[string]bool{}
	for _, m := range methods {
		if !nsSeen[m.ns] {
			nsSeen[m.ns] = true
			nss = append(nss, m.ns)
		}
	}
	p("// namespaces are the Client's fields, one per spec tag.\ntype namespaces struct {\n")
	for _, ns := range nss {
		p("\t%s *%sService\n", ns, ns)
	}
	p("}\n\nfunc (c *Client) initNamespaces() {\n\tc.namespaces = namespaces{\n")
	for _, ns := range nss {
		p("\t\t%s: &%sService{c: c},\n", ns, ns)
	}
	p("\t}\n}\n\n")
	for _, ns := range nss {
		p("// %sService holds the %s operations (Client.%s).", ns, strings.ToLower(ns), ns)
		if d := tagDoc[ns]; d != "" {
			p(" %s", d)
		}
		p("\ntype %sService struct{ c *Client }\n\n", ns)
	}

	// Operation descriptors.
	p("var (\n")
	for _, m := range methods {
		p("\top%s = &operation{id: %q, method: %q, path: %q", m.goName, m.op.ID, m.op.method, m.op.path)
		if m.public {
			p(", public: true")
		}
		if len(m.ok) > 0 {
			p(", ok: %#v", m.ok)
		}
		p("}\n")
	}
	p(")\n\n// operations lists every wired operation with its facade method, for tests and tools.\n")
	p("var operations = map[string]struct {\n\top   *operation\n\tcall string\n}{\n")
	for _, m := range methods {
		p("\t%q: {op%s, %q},\n", m.op.ID, m.goName, m.ns+"."+m.name)
	}
	p("}\n")

	// Methods.
	for _, m := range methods {
		var sig, args []string
		for _, prm := range m.params {
			sig = append(sig, prm.name+" "+prm.typ)
			args = append(args, prm.name)
		}
		sigStr := strings.Join(append(append([]string{"ctx context.Context"}, sig...), "opts ...api.RequestEditorFn"), ", ")
		sender := fmt.Sprintf("func(ctx context.Context, ed ...api.RequestEditorFn) (*http.Response, error) {\n\t\treturn ns.c.raw.%s(%s)\n\t}",
			m.rawFunc, strings.Join(append(append([]string{"ctx"}, args...), "append(ed, opts...)..."), ", "))
		summary := oneLine(m.op.Summary)
		doc := func(name string) {
			p("\n// %s", name)
			if summary != "" {
				p(": %s", strings.TrimSuffix(summary, "."))
			}
			p(".\n//\n// Operation %s: %s %s", m.op.ID, m.op.method, m.op.path)
			switch {
			case len(m.schemes) > 0:
				p(" (credentials: %s, passed in opts, e.g. janua.BasicAuth or janua.Bearer)", strings.Join(m.schemes, " or "))
			case m.public:
				p(" (no token)")
			}
			p(".\n")
		}
		name := m.name
		if m.page {
			name += "Page"
		}
		doc(name)
		if m.page {
			p("// One page; %s walks them all.\n", m.name)
		}
		switch {
		case m.redirect:
			p("// The answer is a redirect, not followed: the result is its Location (empty for a page).\n")
			p("func (ns *%sService) %s(%s) (string, error) {\n\treturn callRedirect(ctx, ns.c, op%s, %s)\n}\n", m.ns, name, sigStr, m.goName, sender)
		case m.raw:
			p("// The answer's body, as sent.\n")
			p("func (ns *%sService) %s(%s) ([]byte, error) {\n\treturn callBytes(ctx, ns.c, op%s, %s)\n}\n", m.ns, name, sigStr, m.goName, sender)
		case m.result == "":
			p("func (ns *%sService) %s(%s) error {\n\treturn callNoContent(ctx, ns.c, op%s, %s)\n}\n", m.ns, name, sigStr, m.goName, sender)
		default:
			p("func (ns *%sService) %s(%s) (*%s, error) {\n\treturn call[%s](ctx, ns.c, op%s, %s)\n}\n", m.ns, name, sigStr, m.result, m.result, m.goName, sender)
		}
		if m.page {
			doc(m.name)
			p("// Every item, fetching pages as needed; the iteration stops at the first error, which it yields.\n")
			fetchArgs := strings.Join(append(append([]string{"ctx"}, args...), "opts..."), ", ")
			p("func (ns *%sService) %s(%s) iter.Seq2[%s, error] {\n", m.ns, m.name, sigStr, m.item)
			p("\treturn paginate(ctx, params,\n")
			p("\t\tfunc(ctx context.Context, params *%s) (*%s, error) { return ns.%sPage(%s) },\n",
				strings.TrimPrefix(m.params[len(m.params)-1].typ, "*"), m.result, m.name, fetchArgs)
			p("\t\tfunc(page *%s) []%s { return page.Data },\n", m.result, m.item)
			p("\t\tfunc(params *%s, page *%s) bool {\n\t\t\tparams.Cursor = (%s)(page.NextCursor)\n\t\t\treturn page.NextCursor != nil\n\t\t})\n}\n",
				strings.TrimPrefix(m.params[len(m.params)-1].typ, "*"), m.result, m.cursorType)
		}
	}
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, errors.Join(err, errors.New(b.String()))
	}
	return out, nil
}

func hasPage(methods []*method) bool {
	for _, m := range methods {
		if m.page {
			return true
		}
	}
	return false
}
