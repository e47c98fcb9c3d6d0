package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

type serveOptions struct {
	Addr            string
	DB              string
	RateLimit       bool
	RateLimitMax    int
	RateLimitWindow time.Duration
	Log             bool
}

func newCmdServe(f *cmdutil.Factory) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox over HTTP",
		Long: heredoc.Doc(`
			Serve the sandbox on --addr (loopback by default). The first line on stdout is
			"READY <url>" once the server accepts connections. SIGINT or SIGTERM stop it (exit 0).

			A non-loopback address is refused while the built-in admin still has its default
			password: change it first (kernia-admin users set-password admin@sandbox.local).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin sandbox serve
			$ kernia-admin sandbox serve --addr 127.0.0.1:9000 --db ./ci.db --rate-limit=false
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.RateLimitMax < 1 || opts.RateLimitWindow < time.Second {
				return cmdutil.FlagErrorf("--rate-limit-max must be at least 1 and --rate-limit-window at least 1s")
			}
			host, _, err := net.SplitHostPort(opts.Addr)
			if err != nil {
				return cmdutil.FlagErrorf("invalid --addr %q: %v", opts.Addr, err)
			}
			return serveRun(cmd.Context(), f, opts, host)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8787", "Address to listen on")
	fl.StringVar(&opts.DB, "db", "./kernia-sandbox.db", "SQLite database file (created and seeded if missing)")
	fl.BoolVar(&opts.RateLimit, "rate-limit", true, "Apply Kernia's per-path rate limit")
	fl.IntVar(&opts.RateLimitMax, "rate-limit-max", 100, "Requests per window and path")
	fl.DurationVar(&opts.RateLimitWindow, "rate-limit-window", 60*time.Second, "Rate-limit window")
	fl.BoolVar(&opts.Log, "log", false, "Log requests to stderr (never bodies or tokens)")
	return cmd
}

func serveRun(ctx context.Context, f *cmdutil.Factory, opts *serveOptions, host string) error {
	// Refuse a non-loopback address before binding anything.
	if !apiclient.IsLoopbackHost(host) {
		probe, err := sandbox.Open(ctx, sandbox.Options{Path: opts.DB})
		if err != nil {
			return err
		}
		def, err := probe.AdminHasDefaultPassword(ctx)
		probe.Close()
		if err != nil {
			return err
		}
		if def {
			return cmdutil.Errorf(cmdutil.ExitUsage, "change it first: kernia-admin --server sandbox:"+opts.DB+" users set-password "+sandbox.AdminEmail+" --password-stdin",
				"refusing to serve on non-loopback address %s while %s still has the default password", opts.Addr, sandbox.AdminEmail)
		}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return cmdutil.Errorf(cmdutil.ExitFailure, "", "cannot listen on %s: %v", opts.Addr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	so := sandbox.Options{
		Path:    opts.DB,
		BaseURL: base,
		RateLimit: sandbox.RateLimit{
			Enabled: opts.RateLimit, Max: opts.RateLimitMax, Window: opts.RateLimitWindow,
		},
	}
	if opts.Log {
		so.Logger = f.IOStreams.ErrOut
	}
	srv, err := sandbox.Open(ctx, so)
	if err != nil {
		return err
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(f.IOStreams.Out, "READY %s\n", base)
	fmt.Fprintf(f.IOStreams.ErrOut, "sandbox listening on %s (database %s); admin %s\n", base, opts.DB, sandbox.AdminEmail)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdownCtx)
		return nil
	}
}
