// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// HashToken returns a token's SHA-256 in hex, the form token_sha256 takes.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokenHash returns the SHA-256 of the terminal's token: of token, or
// token_sha256 decoded. The error names the key at fault, relative to the
// terminal ("token", "token_sha256").
func (t Terminal) TokenHash() ([32]byte, error) {
	var sum [32]byte
	switch {
	case t.Token != "" && t.TokenSHA256 != "":
		return sum, errf("token_sha256", "give token or token_sha256, not both")
	case t.Token != "":
		if len(t.Token) < 16 {
			return sum, errf("token", "must be at least 16 characters")
		}
		return sha256.Sum256([]byte(t.Token)), nil
	case t.TokenSHA256 == "":
		return sum, errf("token", "a token (or token_sha256, its SHA-256 from `kioskd token`) is needed")
	}
	b, err := hex.DecodeString(t.TokenSHA256)
	if err != nil || len(b) != len(sum) {
		return sum, errf("token_sha256", "is not a SHA-256 in hex (64 digits): make one with `kioskd token`")
	}
	copy(sum[:], b)
	return sum, nil
}

// tokenSum is TokenHash with the error's key under the terminal's key
// (terminals[i]); it also names the key the terminal gives its token by.
func tokenSum(key string, t Terminal) (sum [32]byte, field string, err error) {
	field = key + ".token"
	if t.TokenSHA256 != "" {
		field = key + ".token_sha256"
	}
	sum, err = t.TokenHash()
	var e *Error
	if errors.As(err, &e) {
		return sum, field, &Error{Key: key + "." + e.Key, Msg: e.Msg}
	}
	return sum, field, err
}

// CheckTerminals validates a list of terminals against this config's
// zones and devices, as a reload of the terminals alone would apply it to
// a running hall.
func (c *Config) CheckTerminals(ts []Terminal) error {
	windows := map[int]string{}
	for _, z := range c.Zones {
		for _, w := range z.Windows {
			windows[w] = z.ID
		}
	}
	if err := (&Config{Terminals: ts}).validateTerminals(windows); err != nil {
		return err
	}
	if d := c.Devices.Terminal; d != "" && len(ts) > 0 {
		for _, t := range ts {
			if t.ID == d {
				return nil
			}
		}
		return errf("devices.terminal", "no terminal %q", d)
	}
	return nil
}
