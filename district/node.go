// SPDX-License-Identifier: AGPL-3.0-or-later

// Package district joins a hall node to its district over NATS JetStream.
//
// Every hall node of the district (the district hall and each town centre)
// embeds a NATS server with JetStream in its own domain, so its streams live
// on its own disk and it works alone when the link is down. A centre's server
// is a leaf node of the hub's: it dials out, the hub never dials in. The hub
// is a kioskd with [district] hub = true embedding the hub server, or an
// existing NATS cluster whose leaf ports the centres name.
//
// What crosses centres travels only in JetStream streams, never as plain
// publish/subscribe (core messages sent while a leaf link is down are lost):
//   - down: the standard catalog is a key-value bucket in the hub's domain
//     that every centre mirrors into its own (it keeps the last version
//     while offline);
//   - up: a centre writes what the district must know into a stream in its
//     own domain, with a message id on every message (a retry is a
//     duplicate the stream drops), and the hub's DISTRICT stream sources
//     every registered centre's stream across the leaf link.
package district

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// HubDomain is the JetStream domain of the district hub.
const HubDomain = "hub"

// leafUser is the user name centres' leaf links sign in with; the token is
// the password.
const leafUser = "centre"

// Config is one node's place in the district.
type Config struct {
	// Centre is this centre's code (the district hall's, or a town's), e.g. "350303-00".
	Centre string
	// Name is the centre's name, shown at the hub.
	Name string
	// Hub: this node is the district hub and embeds the hub server.
	Hub bool
	// LeafListen is where the hub accepts centres' leaf links ("host:port").
	LeafListen string
	// URLs are a centre's hub: the embedded hub's leaf port, or the leaf
	// ports of a NATS cluster ("nats-leaf://host:7422", "tls://…").
	URLs []string
	// Token is the leaf link's credential (the hub's and every centre's the same).
	Token string
	// StoreDir holds this node's JetStream storage.
	StoreDir string
	// TLS, when set: the hub serves its leaf port over TLS with it; a
	// centre dials with it (its RootCAs trust the hub).
	TLS *tls.Config
	// Heartbeat is how often a centre tells the hub it is there (default 5 s).
	Heartbeat time.Duration
}

var centreCode = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$`)

// Validate checks the config, naming the key at fault.
func (c Config) Validate() error {
	if !centreCode.MatchString(c.Centre) {
		return fmt.Errorf("district.centre: %q is not a centre code (letters, digits, - and _, up to 32)", c.Centre)
	}
	if c.Token == "" {
		return errors.New("district.token: the leaf link needs a credential")
	}
	if c.Hub {
		if _, _, err := net.SplitHostPort(c.LeafListen); err != nil {
			return fmt.Errorf("district.leaf_listen: %q is not host:port: %w", c.LeafListen, err)
		}
		return nil
	}
	if len(c.URLs) == 0 {
		return errors.New("district.url: a centre needs the hub's leaf address")
	}
	for _, u := range c.URLs {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" {
			return fmt.Errorf("district.url: %q is not a URL like nats-leaf://host:7422", u)
		}
	}
	return nil
}

// Domain is the JetStream domain of a centre's node.
func Domain(centre string) string {
	return "c" + strings.NewReplacer("-", "_").Replace(centre)
}

// streamName is the name of a centre's outgoing stream.
func streamName(centre string) string {
	return "CENTRE_" + strings.NewReplacer("-", "_").Replace(centre)
}

// Node is this hall node's embedded NATS server and its client.
type Node struct {
	cfg    Config
	log    *slog.Logger
	srv    *server.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	domain string

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	kickQ chan string // hub: centres whose heartbeat came

	mu    sync.Mutex
	seen  map[string]Heartbeat // hub: the last heartbeat of each centre
	local Heartbeat            // what this node says of itself
}

// Start runs the embedded server and sets up this node's streams. The
// returned node runs until Close.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 5 * time.Second
	}
	if err := os.MkdirAll(cfg.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("district: store: %w", err)
	}
	n := &Node{cfg: cfg, log: log, seen: map[string]Heartbeat{}, kickQ: make(chan string, 64)}
	n.domain = Domain(cfg.Centre)
	if cfg.Hub {
		n.domain = HubDomain
	}
	opts := &server.Options{
		// a persistent name: a leaf whose name changes after a restart
		// stops receiving JetStream traffic
		ServerName:      "kioskd-" + n.domain,
		DontListen:      true, // this process's own client connects in process
		JetStream:       true,
		JetStreamDomain: n.domain,
		StoreDir:        filepath.Clean(cfg.StoreDir),
		NoSigs:          true,
		NoLog:           true,
	}
	if cfg.Hub {
		host, port, _ := net.SplitHostPort(cfg.LeafListen)
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("district.leaf_listen: port %q: %w", port, err)
		}
		opts.LeafNode = server.LeafNodeOpts{Host: host, Port: p, Username: leafUser, Password: cfg.Token, TLSConfig: cfg.TLS}
	} else {
		remote := &server.RemoteLeafOpts{TLSConfig: cfg.TLS, TLS: cfg.TLS != nil}
		for _, s := range cfg.URLs {
			u, _ := url.Parse(s) // Validate has parsed it
			u.User = url.UserPassword(leafUser, cfg.Token)
			remote.URLs = append(remote.URLs, u)
		}
		opts.LeafNode = server.LeafNodeOpts{Remotes: []*server.RemoteLeafOpts{remote}, ReconnectInterval: time.Second}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("district: nats server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("district: nats server: not ready after 15 s (is the leaf port in use?)")
	}
	n.srv = srv
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("kioskd "+cfg.Centre), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("district: connect to the embedded server: %w", err)
	}
	n.nc = nc
	js, err := jetstream.New(nc)
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("district: jetstream: %w", err)
	}
	n.js = js
	if err := n.setUp(ctx); err != nil {
		n.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	n.ctx, n.cancel = runCtx, cancel
	if cfg.Hub {
		if err := n.serveHub(runCtx); err != nil {
			n.Close()
			return nil, err
		}
	} else {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.announce(runCtx) }()
	}
	return n, nil
}

// setUp creates this node's own streams (idempotent).
func (n *Node) setUp(ctx context.Context) error {
	if n.cfg.Hub {
		if _, err := n.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: catalogBucket, History: 64, Storage: jetstream.FileStorage,
			Description: "the district's standard catalog, by version",
		}); err != nil {
			return fmt.Errorf("district: catalog bucket: %w", err)
		}
		if _, err := n.js.Stream(ctx, districtStream); errors.Is(err, jetstream.ErrStreamNotFound) {
			if _, err := n.js.CreateStream(ctx, jetstream.StreamConfig{
				Name: districtStream, Storage: jetstream.FileStorage, Duplicates: time.Hour,
				Description: "every centre's events, sourced from the centres' domains",
			}); err != nil {
				return fmt.Errorf("district: %s stream: %w", districtStream, err)
			}
		} else if err != nil {
			return fmt.Errorf("district: %s stream: %w", districtStream, err)
		}
	} else {
		// the mirror is read-only here: a centre never edits the standard catalog
		if _, err := n.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: catalogBucket, History: 64, Storage: jetstream.FileStorage,
			Description: "a mirror of the hub's standard catalog",
			Mirror:      &jetstream.StreamSource{Name: catalogBucket, Domain: HubDomain},
		}); err != nil {
			return fmt.Errorf("district: catalog mirror: %w", err)
		}
	}
	if err := n.setUpFigures(ctx); err != nil {
		return err
	}
	// every node, the hub included (it is a hall too), writes its own events
	// into a stream in its own domain
	if _, err := n.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        streamName(n.cfg.Centre),
		Subjects:    []string{eventSubject(n.cfg.Centre, ">")},
		Storage:     jetstream.FileStorage,
		Duplicates:  time.Hour,
		Description: "what centre " + n.cfg.Centre + " tells the district",
	}); err != nil {
		return fmt.Errorf("district: own stream: %w", err)
	}
	return nil
}

// Close stops the node's work and its server.
func (n *Node) Close() {
	if n.cancel != nil {
		n.cancel()
	}
	n.wg.Wait()
	if n.nc != nil {
		n.nc.Close()
	}
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
}

// Centre is this node's centre code.
func (n *Node) Centre() string { return n.cfg.Centre }

// IsHub says whether this node is the district hub.
func (n *Node) IsHub() bool { return n.cfg.Hub }

// Linked says whether a centre's leaf link to the hub is up.
func (n *Node) Linked() bool { return n.srv.NumLeafNodes() > 0 }
