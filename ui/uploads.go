// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// An upload never sits in memory while it arrives. A body declared larger
// than [materials] max_bytes is refused before a byte is read; any other is
// copied to a spool file (at most max_bytes+1 bytes are read of a body that
// declares no length) and removed once answered. Only uploadSlots bodies are
// then held in memory at once, each while it is validated and stored (the
// body, the validator's answer and its sealed copy: about three times
// max_bytes a slot); the next waits for a slot, its body already on disk.
const uploadSlots = 2

var errUploadAnswered = errors.New("ui: upload: answered")

// readUpload receives an upload's body within the limits above. On an
// error it has answered (413, 400, 507 or 503, in words) and kept nothing;
// on success the caller calls done once it no longer holds the body.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (body []byte, done func(), err error) {
	limit := s.cfg.Materials.MaxBytes
	tooLarge := func() {
		w.Header().Set("Connection", "close") // the rest of the body is not read
		writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("文件过大 (the file is over %d bytes; nothing was saved)", limit))
	}
	if r.ContentLength > limit {
		tooLarge()
		return nil, nil, errUploadAnswered
	}
	if err := os.MkdirAll(s.spoolDir, 0o700); err != nil {
		s.fail(w, r, fmt.Errorf("ui: upload: spool: %w", err))
		return nil, nil, errUploadAnswered
	}
	f, err := os.CreateTemp(s.spoolDir, "upload-*")
	if err != nil {
		s.fail(w, r, fmt.Errorf("ui: upload: spool: %w", err))
		return nil, nil, errUploadAnswered
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	n, err := io.Copy(f, http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		var pe *os.PathError
		switch {
		case errors.As(err, &mbe):
			tooLarge()
		case errors.As(err, &pe): // the spool file, not the network
			s.fail(w, r, fmt.Errorf("ui: upload: spool: %w", err))
		default:
			writeError(w, http.StatusBadRequest, "", "上传未完成 (the body could not be read whole; nothing was saved)")
		}
		return nil, nil, errUploadAnswered
	}
	select {
	case s.uploadSlots <- struct{}{}:
	case <-r.Context().Done():
		writeError(w, http.StatusServiceUnavailable, "", "服务器正忙，请稍后再试 (the server is busy; try again shortly)")
		return nil, nil, errUploadAnswered
	}
	done = func() { <-s.uploadSlots }
	body = make([]byte, n)
	if _, err := f.ReadAt(body, 0); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		done()
		s.fail(w, r, fmt.Errorf("ui: upload: spool: %w", err))
		return nil, nil, errUploadAnswered
	}
	return body, done, nil
}
