// SPDX-License-Identifier: AGPL-3.0-or-later

// Package staff signs window and guide staff in on their terminal with a
// staff id and a PIN (kept as an Argon2id hash), so every call, acceptance
// and rating is tied to a person; a session ends on sign-out or when idle.
package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for PIN hashes (RFC 9106's second recommendation,
// lighter on memory for a small box).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPIN returns a PHC-style Argon2id hash of pin with a random salt.
func HashPIN(pin string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrHash is returned for a stored hash kioskd cannot read.
var ErrHash = errors.New("staff: not an argon2id PIN hash")

// CheckHash reports whether hash has the form HashPIN makes.
func CheckHash(hash string) error {
	_, _, _, err := parseHash(hash)
	return err
}

type params struct {
	m, t uint32
	p    uint8
}

func parseHash(hash string) (params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return params{}, nil, nil, ErrHash
	}
	var p params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.m, &p.t, &p.p); err != nil || p.m < 8 || p.m > 1<<22 || p.t < 1 || p.t > 20 || p.p < 1 {
		return params{}, nil, nil, ErrHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return params{}, nil, nil, ErrHash
	}
	return p, salt, key, nil
}

// VerifyPIN reports whether pin matches hash, in constant time.
func VerifyPIN(hash, pin string) bool {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, p.t, p.m, p.p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// Member is one member of staff who may sign in.
type Member struct {
	ID      string
	Name    string
	PINHash string
}

// Session is a signed-in member on one terminal.
type Session struct {
	Token    string
	Staff    string
	Name     string
	Terminal string
	Last     time.Time
}

// Errors of sign-in.
var (
	ErrSignIn  = errors.New("staff: wrong staff id or PIN (工号或密码错误)")
	ErrSession = errors.New("staff: not signed in, or signed out after idling (请先登录)")
)

// Desk keeps the staff list and the live sessions. Safe for concurrent use.
type Desk struct {
	members map[string]Member
	idle    time.Duration
	now     func() time.Time

	dummyOnce sync.Once
	dummy     string // verified against for unknown ids

	mu       sync.Mutex
	sessions map[string]*Session // token → session
}

// NewDesk makes a desk; idle is how long a session lasts without use.
func NewDesk(members []Member, idle time.Duration, now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	d := &Desk{members: map[string]Member{}, idle: idle, now: now, sessions: map[string]*Session{}}
	for _, m := range members {
		d.members[m.ID] = m
	}
	return d
}

// SignIn checks a staff id and PIN and opens a session on terminal; a
// member signed in elsewhere is signed out there (one terminal at a time).
func (d *Desk) SignIn(terminal, id, pin string) (Session, error) {
	m, ok := d.members[id]
	// an unknown id costs the same time as a wrong PIN
	hash := m.PINHash
	if !ok {
		d.dummyOnce.Do(func() { d.dummy = HashPIN("kioskd-no-such-staff") })
		hash = d.dummy
	}
	if !VerifyPIN(hash, pin) || !ok {
		return Session{}, ErrSignIn
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	s := &Session{Token: hex.EncodeToString(b), Staff: m.ID, Name: m.Name, Terminal: terminal, Last: d.now()}
	d.mu.Lock()
	for tok, o := range d.sessions {
		if o.Staff == m.ID || o.Terminal == terminal {
			delete(d.sessions, tok)
		}
	}
	d.sessions[s.Token] = s
	d.mu.Unlock()
	return *s, nil
}

// Session returns the live session of token on terminal and marks it used.
func (d *Desk) Session(terminal, token string) (Session, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[token]
	if !ok || s.Terminal != terminal {
		return Session{}, ErrSession
	}
	now := d.now()
	if d.idle > 0 && now.Sub(s.Last) > d.idle {
		delete(d.sessions, token)
		return Session{}, ErrSession
	}
	s.Last = now
	return *s, nil
}

// SignOut ends a session.
func (d *Desk) SignOut(token string) {
	d.mu.Lock()
	delete(d.sessions, token)
	d.mu.Unlock()
}
