package cmdutil

import (
	"sync"
	"time"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/internal/config"
	"github.com/kernia-dev/kernia-admin/internal/keyring"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// GlobalFlags are the root command's persistent flags, filled in by cobra before any RunE.
type GlobalFlags struct {
	Server       string
	Profile      string
	ServerSet    bool
	ProfileSet   bool
	Timeout      time.Duration
	Debug        bool
	NoInput      bool
	InsecureHTTP bool
	Dialect      string
}

// Factory injects every side effect a command has. Cheap values are fields; anything slow or
// fallible is a lazy func, so --help and doc generation touch no config, keyring or network.
type Factory struct {
	IOStreams *output.IOStreams
	Prompter  prompt.Prompter
	Keyring   keyring.Store
	Now       func() time.Time
	Getenv    func(string) string
	Version   string
	Flags     *GlobalFlags
	// Scrubber knows every secret this invocation has seen (tokens, passwords read from
	// stdin, created keys) and cleans error text and traces.
	Scrubber *redact.Scrubber

	// ConfigDir returns the configuration directory.
	ConfigDir func() (string, error)
	// ConfigFile loads config.yml (once).
	ConfigFile func() (*config.File, error)
	// Resolved applies flag > env > profile > default (once).
	Resolved func() (*config.Resolved, error)
	// APIClient returns a client for the resolved server and credentials. Options are added
	// last (for example apiclient.WithDryRun).
	APIClient func(opts ...apiclient.Option) (*apiclient.Client, error)
	// NewClient returns a client for an explicit server with no stored credentials (login).
	NewClient func(server string, opts ...apiclient.Option) (*apiclient.Client, error)

	mu       sync.Mutex
	auth     AuthContext
	cleanups []func()
}

// SetAuthContext records how the client authenticates (for error hints).
func (f *Factory) SetAuthContext(ac AuthContext) {
	f.mu.Lock()
	f.auth = ac
	f.mu.Unlock()
}

// AuthContext returns what SetAuthContext recorded.
func (f *Factory) AuthContext() AuthContext {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auth
}

// OnCleanup registers fn to run when the command ends.
func (f *Factory) OnCleanup(fn func()) {
	f.mu.Lock()
	f.cleanups = append(f.cleanups, fn)
	f.mu.Unlock()
}

// Cleanup runs the registered functions in reverse order.
func (f *Factory) Cleanup() {
	f.mu.Lock()
	fns := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}
