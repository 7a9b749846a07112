// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"yichuang/devices/pdf"
	"yichuang/kiosk"
)

// An uploaded document is opened by MuPDF, a C library that may end the
// whole process on a hostile file. kioskd therefore validates uploads in a
// child process (itself, run as `kioskd validate-document`): a document that
// kills the child is refused as broken, and the hall goes on.

// cmdValidateDocument is the child: the body on stdin, then on stdout one
// header line "OK kind pages" followed by the PDF, or "ERR class words".
func cmdValidateDocument(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("validate-document", flag.ContinueOnError)
	ctype := fs.String("type", "", "the body's Content-Type")
	maxBytes := fs.Int64("max-bytes", pdf.DefaultLimits().MaxBytes, "largest body")
	maxPages := fs.Int("max-pages", pdf.DefaultLimits().MaxPages, "most pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := childLimits(); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(stdin, *maxBytes+1))
	if err != nil {
		return err
	}
	l := pdf.DefaultLimits()
	l.MaxBytes, l.MaxPages = *maxBytes, *maxPages
	doc, err := pdf.Validate(ctx, body, *ctype, &l)
	w := bufio.NewWriter(stdout)
	if err != nil {
		class := "other"
		switch kiosk.KindOf(docError(err)) {
		case kiosk.KindUnsupported:
			class = "unsupported"
		case kiosk.KindTooLarge:
			class = "toolarge"
		case kiosk.KindUnprocessable:
			class = "unprocessable"
		}
		fmt.Fprintf(w, "ERR %s %s\n", class, strings.ReplaceAll(err.Error(), "\n", " "))
		return w.Flush()
	}
	fmt.Fprintf(w, "OK %s %d\n", doc.Kind, doc.Pages)
	w.Write(doc.PDF)
	return w.Flush()
}

// validateInChild runs the child (self: the kioskd binary) on body and
// reads its answer.
func validateInChild(ctx context.Context, self string, body []byte, contentType string, l pdf.Limits) ([]byte, string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, "validate-document", "--type", contentType,
		"--max-bytes", strconv.FormatInt(l.MaxBytes, 10), "--max-pages", strconv.Itoa(l.MaxPages))
	cmd.Stdin = bytes.NewReader(body)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	header, rest, found := bytes.Cut(out.Bytes(), []byte("\n"))
	if runErr != nil || !found {
		if ctx.Err() != nil {
			return nil, "", 0, &kiosk.Error{Kind: kiosk.KindUnprocessable, Msg: "文件无法在限定时间内打开 (the file took too long to open)"}
		}
		// the child died on the document (or could not run): refuse it
		return nil, "", 0, &kiosk.Error{Kind: kiosk.KindUnprocessable, Msg: "文件已损坏，无法打开 (file is damaged and cannot be opened)"}
	}
	f := strings.SplitN(string(header), " ", 3)
	switch {
	case len(f) == 3 && f[0] == "OK":
		pages, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, "", 0, errors.New("documents: the validator's answer is malformed")
		}
		return rest, f[1], pages, nil
	case len(f) == 3 && f[0] == "ERR":
		kind := map[string]kiosk.Kind{"unsupported": kiosk.KindUnsupported, "toolarge": kiosk.KindTooLarge, "unprocessable": kiosk.KindUnprocessable}[f[1]]
		if kind == 0 {
			return nil, "", 0, fmt.Errorf("documents: %s", f[2])
		}
		return nil, "", 0, &kiosk.Error{Kind: kind, Msg: strings.TrimPrefix(f[2], "pdf: validate: ")}
	}
	return nil, "", 0, errors.New("documents: the validator's answer is malformed")
}
