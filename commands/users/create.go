package users

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/output"
)

type createOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Prompter  prompt.Prompter
	Now       func() time.Time
	Format    output.Format

	Email         string
	Name          string
	Roles         []string
	PasswordStdin bool
	Data          string
	DryRun        bool

	data map[string]any
}

func newCmdCreate(f *cmdutil.Factory, runF func(*createOptions) error) *cobra.Command {
	opts := &createOptions{IO: f.IOStreams, APIClient: f.APIClient, Prompter: f.Prompter, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "create --email EMAIL --name NAME",
		Short: "Create a user",
		Long: heredoc.Doc(`
			Create a user. The server stores the email in lower case.

			A password is optional (without one the user has no email-password sign-in). It is
			never a flag: pipe it with --password-stdin, or type it at the prompt on a terminal
			(leave it empty for none). It must be 8 to 128 characters.

			--role may be repeated (or given comma-separated) for several roles. --data sets
			more user columns from a JSON object, given inline or as @FILE (@- for stdin).
		`),
		Example: heredoc.Doc(`
			$ kernia-admin users create --email alice@example.com --name "Alice Liddell"
			$ printf '%s' "$PASSWORD" | kernia-admin users create --email bob@example.com --name Bob --password-stdin
			$ kernia-admin users create --email ops@example.com --name Ops --role admin --data '{"emailVerified":true}'
			$ kernia-admin users create --email carol@example.com --name Carol --dry-run
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateEmail("--email", opts.Email); err != nil {
				return err
			}
			if strings.TrimSpace(opts.Name) == "" {
				return cmdutil.FlagErrorf("--name must not be empty")
			}
			roles, err := splitRoles(opts.Roles)
			if err != nil {
				return err
			}
			opts.Roles = roles
			if opts.Data != "" {
				if opts.PasswordStdin && opts.Data == "@-" {
					return cmdutil.FlagErrorf("--data @- and --password-stdin both read stdin: use a file for --data")
				}
				if opts.data, err = readDataFlag(opts.Data, opts.IO.In); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Email, "email", "", "Email address (required)")
	fl.StringVar(&opts.Name, "name", "", "Display name (required)")
	fl.StringSliceVar(&opts.Roles, "role", nil, "Role `NAME` (repeat or comma-separate for several; default: the server's)")
	fl.BoolVar(&opts.PasswordStdin, "password-stdin", false, "Read the password from stdin (first line)")
	fl.StringVar(&opts.Data, "data", "", "More user columns as a JSON object, or @FILE (@- for stdin)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	_ = cmd.MarkFlagRequired("email")
	_ = cmd.MarkFlagRequired("name")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func createRun(ctx context.Context, opts *createOptions) (err error) {
	defer func() { err = explain(err) }()
	password, err := readNewPassword(ctx, opts.IO, opts.Prompter, opts.PasswordStdin, true)
	if err != nil {
		return err
	}
	if password != "" {
		if err := checkPassword(password); err != nil {
			return err
		}
	}
	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	c.Scrubber().Add(password)
	req := apiclient.CreateUserRequest{Email: opts.Email, Name: opts.Name, Password: password, Data: opts.data}
	if len(opts.Roles) > 0 {
		req.Role = roleValue(opts.Roles)
	}
	u, _, err := c.Users.Create(ctx, req)
	if plan.Handled(err) {
		return plan.Print(opts.IO, opts.Format, opts.Now)
	}
	if err != nil {
		return err
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, u)
}

// roleValue sends one role as a string and several as an array (the server joins them).
func roleValue(roles []string) any {
	if len(roles) == 1 {
		return roles[0]
	}
	return roles
}

// splitRoles trims role names, splits comma-separated ones, and rejects empty names.
func splitRoles(in []string) ([]string, error) {
	var out []string
	for _, r := range in {
		for _, part := range strings.Split(r, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				return nil, cmdutil.FlagErrorf("invalid role %q: empty role name", r)
			}
			out = append(out, part)
		}
	}
	return out, nil
}

// readDataFlag parses a --data value: a JSON object inline, or @FILE (@- for stdin).
func readDataFlag(v string, stdin io.Reader) (map[string]any, error) {
	raw := []byte(v)
	if name, ok := strings.CutPrefix(v, "@"); ok {
		var err error
		if name == "-" {
			raw, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
		} else {
			raw, err = os.ReadFile(name)
		}
		if err != nil {
			return nil, cmdutil.FlagErrorf("--data: %v", err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, cmdutil.FlagErrorf("invalid --data: want a JSON object such as '{\"emailVerified\":true}'")
	}
	if dec.More() {
		return nil, cmdutil.FlagErrorf("invalid --data: trailing data after the JSON object")
	}
	return m, nil
}
