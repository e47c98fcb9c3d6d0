package commands

import (
	"context"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/api"
	"github.com/kernia-dev/kernia-admin/commands/auth"
	"github.com/kernia-dev/kernia-admin/commands/authmethods"
	"github.com/kernia-dev/kernia-admin/commands/catalog"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/commands/doctor"
	"github.com/kernia-dev/kernia-admin/commands/email"
	"github.com/kernia-dev/kernia-admin/commands/entitlements"
	"github.com/kernia-dev/kernia-admin/commands/keys"
	"github.com/kernia-dev/kernia-admin/commands/profile"
	sandboxcmd "github.com/kernia-dev/kernia-admin/commands/sandbox"
	scimcmd "github.com/kernia-dev/kernia-admin/commands/scim"
	"github.com/kernia-dev/kernia-admin/commands/sessions"
	ssocmd "github.com/kernia-dev/kernia-admin/commands/sso"
	stripecmd "github.com/kernia-dev/kernia-admin/commands/stripe"
	"github.com/kernia-dev/kernia-admin/commands/users"
	"github.com/kernia-dev/kernia-admin/commands/version"
)

// NewCmdRoot builds the whole command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kernia-admin <command> <subcommand> [flags]",
		Short: "Operate a Kernia authentication server from scripts and the shell",
		Long: heredoc.Doc(`
			kernia-admin is the admin dashboard for Kernia (and Better Auth) servers, as commands:
			users, sessions, auth methods, email, Stripe, API keys, SSO and SCIM.

			Every list prints a table on a terminal, tab-separated values in a pipe, or JSON with
			--json, --jsonl and --jq. Secrets are redacted everywhere. Exit codes are stable
			(see 'kernia-admin help exit-codes').

			Without a server of your own, use the built-in sandbox:
			  kernia-admin --server sandbox:./demo.db users list
		`),
		Example: heredoc.Doc(`
			$ kernia-admin auth login --server https://auth.example.com --email admin@example.com
			$ kernia-admin users list --search alice
			$ kernia-admin users ban 7f3kq... --reason "chargeback fraud" --expires 7d
			$ kernia-admin users list --all --jsonl | jq -r .email
		`),
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			f.Flags.ServerSet = fl.Changed("server")
			f.Flags.ProfileSet = fl.Changed("profile")
			if f.Flags.NoInput {
				f.IOStreams.SetNeverPrompt(true)
			}
			switch f.Flags.Dialect {
			case "", "kernia", "better-auth":
			default:
				return cmdutil.FlagErrorf("invalid --dialect %q: use kernia or better-auth", f.Flags.Dialect)
			}
			if f.Flags.Timeout < 0 {
				return cmdutil.FlagErrorf("invalid --timeout: must not be negative")
			}
			if f.Flags.Timeout > 0 {
				ctx, cancel := context.WithTimeout(cmd.Context(), f.Flags.Timeout)
				f.OnCleanup(cancel)
				cmd.SetContext(ctx)
			}
			// Rendering (a --jq program) stops on Ctrl-C and --timeout too.
			f.IOStreams.SetContext(cmd.Context())
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.Flags.Server, "server", "", "Server URL, or sandbox:PATH for an in-process sandbox (env KERNIA_SERVER)")
	pf.StringVar(&f.Flags.Profile, "profile", "", "Configuration profile to use (env KERNIA_PROFILE)")
	pf.DurationVar(&f.Flags.Timeout, "timeout", 0, "Bound the whole command, e.g. 30s (0 = no bound; each request still times out after 30s)")
	pf.BoolVar(&f.Flags.Debug, "debug", false, "Print a redacted HTTP trace to stderr")
	pf.BoolVar(&f.Flags.NoInput, "no-input", false, "Never prompt; fail instead")
	pf.BoolVar(&f.Flags.InsecureHTTP, "insecure-http", false, "Allow credentials over plain http to a non-loopback host")
	pf.StringVar(&f.Flags.Dialect, "dialect", "", "Wire dialect: kernia (default) or better-auth (env KERNIA_DIALECT)")

	cmd.AddGroup(&cobra.Group{ID: "core", Title: "Core commands"}, &cobra.Group{ID: "setup", Title: "Setup commands"})
	for _, c := range []*cobra.Command{users.NewCmdUsers(f), sessions.NewCmdSessions(f),
		authmethods.NewCmdAuthMethods(f), email.NewCmdEmail(f), stripecmd.NewCmdStripe(f)} {
		c.GroupID = "core"
		cmd.AddCommand(c)
	}
	for _, c := range []*cobra.Command{keys.NewCmdKeys(f), ssocmd.NewCmdSSO(f), scimcmd.NewCmdSCIM(f)} {
		c.GroupID = "core"
		cmd.AddCommand(c)
	}
	for _, c := range []*cobra.Command{catalog.NewCmdCatalog(f), entitlements.NewCmdEntitlements(f)} {
		c.GroupID = "core"
		cmd.AddCommand(c)
	}
	for _, c := range []*cobra.Command{auth.NewCmdAuth(f), profile.NewCmdProfile(f), doctor.NewCmdDoctor(f), api.NewCmdAPI(f), sandboxcmd.NewCmdSandbox(f), version.NewCmdVersion(f)} {
		c.GroupID = "setup"
		cmd.AddCommand(c)
	}
	cmd.SetHelpCommandGroupID("setup")
	cmd.SetCompletionCommandGroupID("setup")
	addHelpTopics(cmd)
	indentExamples(cmd)
	return cmd
}

// indentExamples indents every example block by two spaces, as cobra prints it verbatim.
func indentExamples(c *cobra.Command) {
	if c.Example != "" {
		lines := strings.Split(strings.TrimRight(c.Example, "\n"), "\n")
		for i, l := range lines {
			if l != "" && !strings.HasPrefix(l, "  ") {
				lines[i] = "  " + l
			}
		}
		c.Example = strings.Join(lines, "\n")
	}
	for _, sub := range c.Commands() {
		indentExamples(sub)
	}
}
