// SPDX-License-Identifier: AGPL-3.0-or-later

// Package docs carries the project's published API description, so the
// binary serves the very file the repository holds.
package docs

import _ "embed"

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns docs/openapi.json, byte for byte (a copy: callers may not
// change the embedded one).
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }
