package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/sim/printersim"
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
func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("sim: which device? printer")
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
	default:
		return fmt.Errorf("sim: unknown device %q", args[0])
	}
}
