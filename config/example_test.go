// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// examplePath is the shipped example config (the .deb installs it as
// /etc/kioskd/kioskd.toml).
const examplePath = "../kioskd.example.toml"

// TestExampleConfig checks that kioskd.example.toml is a valid config and
// that it shows every key of Config: set, or commented out as
// `# key = value` under its table's header (for alternatives and for keys
// that need something on the machine first, such as catalog.file). A key
// added to the config structs and not to the example fails here.
func TestExampleConfig(t *testing.T) {
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(text)
	if err != nil {
		t.Fatalf("%s: %v", examplePath, err)
	}
	if c.DevTokens || len(c.Terminals) == 0 {
		t.Errorf("%s: lists no terminals", examplePath)
	}

	var doc map[string]any
	if _, err := toml.Decode(string(text), &doc); err != nil {
		t.Fatal(err)
	}
	commented := commentedKeys(string(text))

	keys := structKeys(reflect.TypeFor[Config](), "")
	if len(keys) < 50 {
		t.Fatalf("found only %d keys in Config; the walk is broken", len(keys))
	}
	for _, k := range keys {
		if definedIn(doc, strings.Split(k, ".")) || commented[k] {
			continue
		}
		table, key := "", k
		if i := strings.LastIndex(k, "."); i >= 0 {
			table, key = k[:i], k[i+1:]
		}
		where := "at the top"
		if table != "" {
			where = "under [" + table + "]"
		}
		t.Errorf("%s lacks %s: add it %s, set or commented out as `# %s = ...`", examplePath, k, where, key)
	}
}

// structKeys lists the dotted TOML keys of a struct type, leaves only: a
// nested struct's keys are prefixed with its key, and a slice of structs
// (an array of tables) lists its elements' keys under its own key.
func structKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name // BurntSushi/toml matches it case-insensitively
		}
		key := prefix + name
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && !implementsText(ft) {
			keys = append(keys, structKeys(ft, key+".")...)
			continue
		}
		keys = append(keys, key)
	}
	return keys
}

// implementsText reports whether t decodes from a TOML value itself (as
// time.Time does) rather than from a table.
func implementsText(t reflect.Type) bool {
	u := reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
	p := reflect.PointerTo(t)
	return t.Implements(u) || p.Implements(u) || t == reflect.TypeFor[toml.Primitive]()
}

// definedIn reports whether the decoded document sets the key path; in an
// array of tables, one element setting it is enough.
func definedIn(v any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		next, ok := x[path[0]]
		return ok && definedIn(next, path[1:])
	case []map[string]any:
		return slices.ContainsFunc(x, func(m map[string]any) bool { return definedIn(m, path) })
	case []any:
		return slices.ContainsFunc(x, func(e any) bool { return definedIn(e, path) })
	}
	return false
}

var (
	reHeader       = regexp.MustCompile(`^\s*#?\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$`)
	reCommentedKey = regexp.MustCompile(`^\s*#\s*([A-Za-z0-9_-]+)\s*=`)
)

// commentedKeys finds `# key = value` lines and names each by the table
// header ([t], [[t]], or a commented-out one) above it.
func commentedKeys(text string) map[string]bool {
	keys := map[string]bool{}
	table := ""
	for line := range strings.Lines(text) {
		if m := reHeader.FindStringSubmatch(line); m != nil {
			table = m[1] + "."
			continue
		}
		if m := reCommentedKey.FindStringSubmatch(line); m != nil {
			keys[table+m[1]] = true
		}
	}
	return keys
}

// TestExampleKeysHelpers checks the key walk and the comment scan on a
// small case, so a pass of TestExampleConfig means something.
func TestExampleKeysHelpers(t *testing.T) {
	type inner struct {
		A int `toml:"a"`
		B int `toml:"b,omitempty"`
	}
	type outer struct {
		X    string  `toml:"x"`
		Skip int     `toml:"-"`
		In   inner   `toml:"in"`
		List []inner `toml:"list"`
		Ptr  *inner  `toml:"ptr"`
	}
	got := structKeys(reflect.TypeFor[outer](), "")
	want := []string{"x", "in.a", "in.b", "list.a", "list.b", "ptr.a", "ptr.b"}
	if !slices.Equal(got, want) {
		t.Fatalf("structKeys = %v, want %v", got, want)
	}

	text := "x = \"1\"\nlist = [ { a = 1 }, { b = 2 } ]\n[in]\na = 1\n# b = 2\n[ptr]\n# a = 1\n"
	var doc map[string]any
	if _, err := toml.Decode(text, &doc); err != nil {
		t.Fatal(err)
	}
	com := commentedKeys(text)
	var missing []string
	for _, k := range want {
		if !definedIn(doc, strings.Split(k, ".")) && !com[k] {
			missing = append(missing, k)
		}
	}
	if !slices.Equal(missing, []string{"ptr.b"}) {
		t.Fatalf("missing = %v, want [ptr.b]", missing)
	}
}
