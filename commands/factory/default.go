// Package factory wires the production Factory.
package factory

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/keyring"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

// RequestTimeout bounds each HTTP request; --timeout bounds the whole command.
const RequestTimeout = 30 * time.Second

// New returns the production Factory.
func New(version string) *cmdutil.Factory {
	ios := output.System()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Keyring:   keyring.NewOS(),
		Now:       time.Now,
		Getenv:    os.Getenv,
		Version:   version,
		Flags:     &cmdutil.GlobalFlags{},
		Scrubber:  &redact.Scrubber{},
	}
	f.Prompter = prompt.NewHuh(ios.In, ios.ErrOut)
	Wire(f)
	return f
}

// Wire fills the lazy funcs of f from its fields (used by New and by tests that build a
// Factory with test streams).
func Wire(f *cmdutil.Factory) {
	f.ConfigDir = func() (string, error) { return config.Dir(f.Getenv) }
	f.ConfigFile = memo(func() (*config.File, error) {
		dir, err := f.ConfigDir()
		if err != nil {
			return nil, err
		}
		return config.Load(dir)
	})
	f.Resolved = memo(func() (*config.Resolved, error) {
		file, err := f.ConfigFile()
		if err != nil {
			return nil, err
		}
		fl := config.Flags{Server: f.Flags.Server, Profile: f.Flags.Profile, ServerSet: f.Flags.ServerSet, ProfileSet: f.Flags.ProfileSet,
			InsecureHTTP: f.Flags.InsecureHTTP}
		r, err := config.Resolve(context.Background(), file, fl, f.Getenv, f.Keyring)
		if err != nil {
			return nil, err
		}
		f.Scrubber.Add(r.Token)
		f.Scrubber.Add(r.APIKey)
		f.Scrubber.Add(r.Password)
		return r, nil
	})
	var sbOnce sync.Once
	var sb *sandbox.Server
	var sbErr error
	openSandbox := func(path string) (*sandbox.Server, error) {
		sbOnce.Do(func() {
			sb, sbErr = sandbox.Open(context.Background(), sandbox.Options{Path: path, BaseURL: "http://localhost"})
			if sbErr == nil {
				f.OnCleanup(func() { sb.Close() })
			}
		})
		return sb, sbErr
	}
	baseOpts := func() []apiclient.Option {
		opts := []apiclient.Option{
			apiclient.WithUserAgent("kernia-admin/" + f.Version),
			apiclient.WithScrubber(f.Scrubber),
		}
		if f.Flags.Debug {
			opts = append(opts, apiclient.WithDebug(f.IOStreams.ErrOut))
		}
		// Dialect: --dialect > KERNIA_DIALECT > the profile (added in APIClient) > detected
		// by the client, once, on the first call that depends on it.
		if d, ok := explicitDialect(f); ok {
			opts = append(opts, apiclient.WithDialect(d))
		} else {
			opts = append(opts, apiclient.WithDialectDetection())
		}
		return opts
	}
	f.NewClient = func(server string, extra ...apiclient.Option) (*apiclient.Client, error) {
		if path, ok := strings.CutPrefix(server, "sandbox:"); ok {
			srv, err := openSandbox(path)
			if err != nil {
				return nil, fmt.Errorf("opening sandbox %s: %w", path, err)
			}
			opts := append(baseOpts(), apiclient.WithHTTPClient(&http.Client{Transport: handlerTransport{srv.Handler()}, Timeout: RequestTimeout}))
			if _, ok := explicitDialect(f); !ok {
				opts = append(opts, apiclient.WithDialect(apiclient.DialectKernia)) // the sandbox speaks Kernia
			}
			return apiclient.NewClient("http://localhost", append(opts, extra...)...)
		}
		opts := append(baseOpts(), apiclient.WithHTTPClient(&http.Client{Timeout: RequestTimeout}), apiclient.WithInsecureHTTP(f.Flags.InsecureHTTP))
		return apiclient.NewClient(server, append(opts, extra...)...)
	}
	f.APIClient = func(extra ...apiclient.Option) (*apiclient.Client, error) {
		r, err := f.Resolved()
		if err != nil {
			return nil, err
		}
		if r.Server == "" {
			return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("no server configured"),
				Hint: "run `kernia-admin auth login --server URL`, set KERNIA_SERVER, or try the sandbox: --server sandbox:./demo.db"}
		}
		server, err := config.ValidateServer(r.Server, f.Flags.InsecureHTTP || r.InsecureHTTP)
		if err != nil {
			return nil, &cmdutil.FlagError{Err: err}
		}
		if path, ok := strings.CutPrefix(server, "sandbox:"); ok {
			srv, err := openSandbox(path)
			if err != nil {
				return nil, fmt.Errorf("opening sandbox %s: %w", path, err)
			}
			token := r.Token
			if token == "" {
				if token, err = srv.AdminToken(context.Background()); err != nil {
					return nil, err
				}
			}
			f.SetAuthContext(cmdutil.AuthContext{Mode: "sandbox", Server: server})
			return f.NewClient(server, append([]apiclient.Option{apiclient.WithToken(token)}, extra...)...)
		}
		var opts []apiclient.Option
		mode := "none"
		switch {
		case r.Token != "":
			opts = append(opts, apiclient.WithToken(r.Token))
			mode = "token"
			warnExpiry(f, r)
		case r.APIKey != "":
			mode = "api-key"
		}
		if r.Token == "" && r.TokenError != nil {
			fmt.Fprintf(f.IOStreams.ErrOut, "warning: cannot read the session token of profile %s from the OS keyring: %v\n", r.ProfileName, r.TokenError)
		}
		if r.APIKey != "" {
			opts = append(opts, apiclient.WithAPIKey(r.APIKey))
		}
		if r.Email != "" && r.Password != "" {
			email, password := r.Email, r.Password
			opts = append(opts, apiclient.WithReauth(func(ctx context.Context) (string, error) {
				c, err := f.NewClient(server)
				if err != nil {
					return "", err
				}
				res, _, err := c.Auth.SignIn(ctx, email, password)
				if err != nil {
					return "", err
				}
				if f.IOStreams.IsStderrTTY() || f.Flags.Debug {
					fmt.Fprintln(f.IOStreams.ErrOut, "kernia-admin: session rejected; signed in again as "+email)
				}
				return res.Token, nil
			}))
			if mode == "none" {
				mode = "reauth"
			}
		}
		if r.InsecureHTTP {
			opts = append(opts, apiclient.WithInsecureHTTP(true))
		}
		if _, ok := explicitDialect(f); !ok {
			if d, ok := apiclient.ParseDialect(r.Dialect); ok {
				opts = append(opts, apiclient.WithDialect(d)) // stored at auth login: no probe
			}
		}
		f.SetAuthContext(cmdutil.AuthContext{Mode: mode, Server: server})
		return f.NewClient(server, append(opts, extra...)...)
	}
}

// explicitDialect is the dialect given with --dialect or KERNIA_DIALECT (validated by the
// root command), if any.
func explicitDialect(f *cmdutil.Factory) (apiclient.Dialect, bool) {
	d := f.Flags.Dialect
	if d == "" {
		d = f.Getenv("KERNIA_DIALECT")
	}
	return apiclient.ParseDialect(d)
}

func warnExpiry(f *cmdutil.Factory, r *config.Resolved) {
	if r.TokenExpiresAt.IsZero() || !strings.HasPrefix(r.TokenSource, "keyring") && !strings.HasPrefix(r.TokenSource, "config") {
		return
	}
	left := r.TokenExpiresAt.Sub(f.Now())
	switch {
	case left <= 0:
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: the stored session expired at %s; run `kernia-admin auth login`\n", r.TokenExpiresAt.UTC().Format(time.RFC3339))
	case left < 24*time.Hour:
		left = left.Round(time.Minute)
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: the stored session expires in %dh %dm (Kernia never extends sessions); run `kernia-admin auth login` soon\n",
			int(left/time.Hour), int(left%time.Hour/time.Minute))
	}
}

// handlerTransport serves requests in-process, for --server sandbox:PATH.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func memo[T any](fn func() (T, error)) func() (T, error) {
	var once sync.Once
	var v T
	var err error
	return func() (T, error) {
		once.Do(func() { v, err = fn() })
		return v, err
	}
}
