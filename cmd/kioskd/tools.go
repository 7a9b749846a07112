// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/sim/idcardsim"
	"yichuang/devices/sim/printersim"
	"yichuang/kiosk/staff"
)

// cmdPrintTest prints a test ticket on the configured printer.
func cmdPrintTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("print-test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "config file (TOML)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	health := devices.NewHealth(nil)
	p, err := openPrinter(ctx, cfg, health, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("print-test: no printer is configured ([devices.printer] uri)")
	}
	t := devices.Ticket{
		Hall: cfg.Hall.Name, Zone: "A", ZoneName: "测试 TEST", Number: "A000", WaitingAhead: 0,
		IssuedAt: time.Now().In(cfg.Location), StatusURL: cfg.PublicURL + "/", Matter: "打印测试 print test",
		Notices: cfg.Devices.Printer.Notices,
	}
	if err := p.PrintTicket(ctx, t); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "printed a test ticket on %s\n", p.uri)
	return nil
}

// cmdSim runs a device simulator for a person to try kioskd by hand.
func cmdSim(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("sim: which device? printer or idcard")
	}
	switch args[0] {
	case "printer":
		fs := flag.NewFlagSet("sim printer", flag.ContinueOnError)
		fs.SetOutput(stderr)
		addr := fs.String("addr", "127.0.0.1:9100", "TCP address to listen on")
		pty := fs.Bool("pty", false, "also serve on a pseudo-terminal (a serial printer)")
		paperOut := fs.Bool("paper-out", false, "start without paper")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		sim, err := printersim.New(&printersim.Opts{Addr: *addr, PTY: *pty})
		if err != nil {
			return err
		}
		defer sim.Close()
		sim.SetPaperOut(*paperOut)
		fmt.Fprintf(stdout, "printer simulator: [devices.printer] uri = %q\n", sim.URI())
		if *pty {
			fmt.Fprintf(stdout, "                   or uri = %q\n", sim.SerialURI())
		}
		return sim.Run(ctx)
	case "idcard":
		return simIDCard(ctx, args[1:], stdin, stdout, stderr)
	default:
		return fmt.Errorf("sim: unknown device %q", args[0])
	}
}

// simIDCard runs an ID card reader simulator on a pseudo-terminal and takes
// commands from stdin: "place KIND" (resident, resident2, foreign,
// foreign2023, permit), "remove", "sticky on|off", "silent on|off", "noise N".
func simIDCard(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim idcard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sticky := fs.Bool("sticky", false, "report a card found at every poll while it lies there")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sim, err := idcardsim.New(&idcardsim.Opts{Sticky: *sticky})
	if err != nil {
		return err
	}
	defer sim.Close()
	go func() { _ = sim.Run(ctx) }()
	fmt.Fprintf(stdout, "ID card reader simulator: [devices.idcard] port = %q\n", sim.Path())
	fmt.Fprintln(stdout, "commands: place resident|resident2|foreign|foreign2023|permit, remove, sticky on|off, silent on|off, noise N")
	r := &cardReader{sim: sim}
	lines := bufio.NewScanner(stdin)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) == 0 {
			continue
		}
		var err error
		switch {
		case f[0] == "place" && len(f) == 2:
			err = r.SimPlace(f[1])
		case f[0] == "remove":
			err = r.SimPlace("")
		case f[0] == "sticky" && len(f) == 2:
			sim.SetSticky(f[1] == "on")
		case f[0] == "silent" && len(f) == 2:
			sim.SetSilent(f[1] == "on")
		case f[0] == "noise" && len(f) == 2:
			var n int
			if _, err = fmt.Sscan(f[1], &n); err == nil {
				sim.SetNoise(n)
			}
		default:
			err = fmt.Errorf("unknown command %q", lines.Text())
		}
		if err != nil {
			fmt.Fprintln(stderr, "sim idcard:", err)
			continue
		}
		fmt.Fprintln(stdout, "ok")
	}
	<-ctx.Done()
	return nil
}

// cmdPINHash reads a PIN from standard input and prints its Argon2id hash
// for a staff.members entry's pin_hash.
func cmdPINHash(stdin io.Reader, stdout io.Writer) error {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("pin-hash: give the PIN on standard input")
	}
	pin := strings.TrimRight(line, "\r\n")
	if len(pin) < 4 {
		return fmt.Errorf("pin-hash: a PIN has at least 4 characters")
	}
	fmt.Fprintln(stdout, staff.HashPIN(pin))
	return nil
}

// cmdToken prints a new random terminal token on the first line and, on
// the second, the token_sha256 line a config may hold instead of it. With
// --hash it reads a token from standard input and prints its line.
func cmdToken(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	hash := fs.Bool("hash", false, "print the token_sha256 line of a token read from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token: unexpected argument %q", fs.Arg(0))
	}
	if *hash {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		tok := strings.TrimSpace(line)
		if err != nil && tok == "" {
			return fmt.Errorf("token: give the token on standard input")
		}
		if len(tok) < 16 {
			return fmt.Errorf("token: a token has at least 16 characters")
		}
		fmt.Fprintf(stdout, "token_sha256 = %q\n", config.HashToken(tok))
		return nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	tok := hex.EncodeToString(b)
	fmt.Fprintln(stdout, tok)
	fmt.Fprintf(stdout, "token_sha256 = %q\n", config.HashToken(tok))
	return nil
}
