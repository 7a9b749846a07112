// SPDX-License-Identifier: AGPL-3.0-or-later

package staff

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPINHash(t *testing.T) {
	h := HashPIN("2468")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || CheckHash(h) != nil {
		t.Fatalf("hash %q", h)
	}
	if !VerifyPIN(h, "2468") || VerifyPIN(h, "2469") || VerifyPIN(h, "") {
		t.Fatal("verify")
	}
	if h == HashPIN("2468") {
		t.Fatal("no salt")
	}
	for _, bad := range []string{"", "2468", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=1,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"} {
		if CheckHash(bad) == nil || VerifyPIN(bad, "2468") {
			t.Errorf("accepted %q", bad)
		}
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func TestDesk(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	d := NewDesk([]Member{{ID: "S001", Name: "林小梅", PINHash: HashPIN("1357")}, {ID: "S002", Name: "陈", PINHash: HashPIN("9999")}}, 30*time.Minute, c.now)
	if _, err := d.SignIn("window-1", "S001", "0000"); !errors.Is(err, ErrSignIn) {
		t.Fatal(err)
	}
	if _, err := d.SignIn("window-1", "S404", "1357"); !errors.Is(err, ErrSignIn) {
		t.Fatal(err)
	}
	s, err := d.SignIn("window-1", "S001", "1357")
	if err != nil || s.Name != "林小梅" || len(s.Token) != 48 {
		t.Fatal(s, err)
	}
	if _, err := d.Session("window-2", s.Token); !errors.Is(err, ErrSession) {
		t.Fatal("a session worked on another terminal")
	}
	c.t = c.t.Add(29 * time.Minute)
	if _, err := d.Session("window-1", s.Token); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(29 * time.Minute) // used 29 minutes ago: still alive
	if _, err := d.Session("window-1", s.Token); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(31 * time.Minute)
	if _, err := d.Session("window-1", s.Token); !errors.Is(err, ErrSession) {
		t.Fatal("an idle session lived on")
	}
	// signing in elsewhere ends the first session; a new member replaces the terminal's
	s1, _ := d.SignIn("window-1", "S001", "1357")
	s2, _ := d.SignIn("window-2", "S001", "1357")
	if _, err := d.Session("window-1", s1.Token); !errors.Is(err, ErrSession) {
		t.Fatal("signed in at two terminals")
	}
	s3, _ := d.SignIn("window-2", "S002", "9999")
	if _, err := d.Session("window-2", s2.Token); !errors.Is(err, ErrSession) {
		t.Fatal("two members on one terminal")
	}
	d.SignOut(s3.Token)
	if _, err := d.Session("window-2", s3.Token); !errors.Is(err, ErrSession) {
		t.Fatal("signed out but alive")
	}
}
