package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// operations.gen.go must be what the generator makes from today's spec, api.gen.go and
// operations.txt: a stale file is how a new operation would silently go unwired.
func TestGeneratedFacadeIsUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	want, err := Generate(root)
	if err != nil {
		t.Fatalf("generating: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(root, outputPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `go generate` in sdks/go", outputPath)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(filepath.Join("..", ".."))
	if !bytes.Equal(a, b) {
		t.Fatal("two runs differ")
	}
}

func TestNamesFileRejectsDuplicatesAndBadLines(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"dup": "getHealth Health.Check\ngetHealth Health.Other\n",
		"bad": "getHealth health.check\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadNames(path); err == nil {
			t.Errorf("%s: accepted %q", name, text)
		}
	}
}
