// SPDX-License-Identifier: AGPL-3.0-or-later

// Command kioskd runs the terminals and the queue of a government service
// hall that works "one window takes in everything" (一窗受理、集成服务).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version and commit are stamped at build time with -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

const usage = `kioskd: the hall's terminals and queue (一窗)

usage:
  kioskd serve [--config FILE] [--check]   run the hall (or check a config and exit)
  kioskd plan [--config FILE] [--format text|csv|json]   windows needed per zone and hour (Erlang C)
  kioskd doctor [--config FILE]            check the config, data dir, clock, upstream and devices
  kioskd print-test [--config FILE]        print a test ticket on the configured printer
  kioskd sim printer [--addr A] [--pty]    run a printer simulator (ESC/POS over TCP or a pty)
  kioskd sim idcard [--sticky]             run an ID card reader simulator on a pty (commands on stdin)
  kioskd token [--hash < token]            print a new random terminal token and its token_sha256 line
                                           (--hash: the token_sha256 line of a token you have)
  kioskd pin-hash < pin                    print the hash of a staff PIN for staff.members
  kioskd version                           print the version
`

func main() {
	tuneGC(os.Getenv)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC lets the heap grow to three times what is live before a
// collection (GOGC=200, where Go's default is 100), with a soft limit of
// 1 GiB that makes it collect sooner near it: at a hall's peak kioskd spends
// memory rather than CPU (BENCHMARKS.md has both figures). GOGC and
// GOMEMLIMIT in the environment win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case "validate-document": // the child that opens uploads (docchild.go)
		err = cmdValidateDocument(ctx, args[1:], os.Stdin, stdout)
	case "render-page": // the child that draws pages (renderchild.go)
		err = cmdRenderPage(ctx, args[1:], os.Stdin, stdout)
	case "plan":
		err = cmdPlan(ctx, args[1:], stdout, stderr)
	case "doctor":
		err = cmdDoctor(ctx, args[1:], stdout, stderr)
	case "pin-hash":
		err = cmdPINHash(os.Stdin, stdout)
	case "token":
		err = cmdToken(args[1:], os.Stdin, stdout, stderr)
	case "print-test":
		err = cmdPrintTest(ctx, args[1:], stdout, stderr)
	case "sim":
		err = cmdSim(ctx, args[1:], os.Stdin, stdout, stderr)
	case "man": // a manual page from the usage (man.go); for packaging, not in the usage
		err = cmdMan(args[1:], os.Stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "kioskd %s (commit %s)\n", version, commit)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "kioskd: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		fmt.Fprintf(stderr, "kioskd: %v\n", err)
		return 1
	}
	return 0
}
