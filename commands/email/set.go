package email

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/internal/prompt"
	"github.com/kernia-dev/kernia-admin/internal/redact"
	"github.com/kernia-dev/kernia-admin/output"
)

// secretSource says where a kind's credential comes from.
type secretSource struct {
	Flag string // the --X-stdin flag
	Env  string // the environment variable
	What string // for messages and prompts
}

func sourceOf(kind string) secretSource {
	switch kind {
	case kindSMTP:
		return secretSource{"password-stdin", "KERNIA_SMTP_PASSWORD", "SMTP password"}
	case kindResend:
		return secretSource{"api-key-stdin", "KERNIA_RESEND_API_KEY", "Resend API key"}
	default:
		return secretSource{"token-stdin", "KERNIA_POSTMARK_TOKEN", "Postmark server token"}
	}
}

// setOptions are shared by set-smtp, set-resend and set-postmark.
type setOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Prompter  prompt.Prompter
	Getenv    func(string) string
	Scrubber  *redact.Scrubber
	Format    output.Format

	Kind        string
	ID          string
	Host        string
	Port        int
	Username    string
	TLS         string
	From        string
	SecretStdin bool
	SecretsFile string
	DryRun      bool
	// Given lists the fields set on the command line (host, port, username, tls, from).
	Given map[string]bool
}

func newSetOptions(f *cmdutil.Factory, kind string) *setOptions {
	return &setOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now, Prompter: f.Prompter,
		Getenv: f.Getenv, Scrubber: f.Scrubber, Kind: kind, Given: map[string]bool{}}
}

// addCommonFlags registers --from, the secret's stdin flag, --secrets-file, --dry-run and the
// format flags.
func addCommonFlags(cmd *cobra.Command, opts *setOptions) {
	src := sourceOf(opts.Kind)
	fl := cmd.Flags()
	fl.StringVar(&opts.From, "from", "", "Sender `ADDRESS` (\"no-reply@example.com\" or \"Name <no-reply@example.com>\")")
	fl.BoolVar(&opts.SecretStdin, src.Flag, false, fmt.Sprintf("Read the %s from stdin (else $%s, else a prompt)", src.What, src.Env))
	fl.StringVar(&opts.SecretsFile, "secrets-file", "", "Re-supply other clients' secrets from `FILE` (only for servers without the dashboard's email routes)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request that would be sent, send nothing")
	output.AddFormatFlags(cmd, &opts.Format)
}

// validateCommon checks the id and every flag given, before anything is read or sent.
func (o *setOptions) validateCommon(cmd *cobra.Command, args []string) error {
	o.ID = args[0]
	if err := validateID(o.ID); err != nil {
		return err
	}
	for _, name := range []string{"host", "port", "username", "tls", "from"} {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
			o.Given[name] = true
		}
	}
	if o.Given["from"] {
		if err := validateAddress("--from", o.From); err != nil {
			return err
		}
	}
	if o.Given["host"] {
		if err := validateHost(o.Host); err != nil {
			return err
		}
	}
	if o.Given["port"] {
		if err := validatePort(o.Port); err != nil {
			return err
		}
	}
	if o.Given["tls"] {
		if err := validateTLS(o.TLS); err != nil {
			return err
		}
	}
	return nil
}

type setResult struct {
	clientView
	Created bool `json:"created"`
}

func setRun(ctx context.Context, opts *setOptions) error {
	src := sourceOf(opts.Kind)
	field := secretFieldOf(opts.Kind)
	secret := ""
	if opts.SecretStdin {
		s, err := cmdutil.ReadSecret(opts.IO.In, src.What)
		if err != nil {
			return err
		}
		secret = s
	} else if v := opts.Getenv(src.Env); v != "" {
		secret = v
	}
	opts.Scrubber.Add(secret)
	secrets, err := loadSecretsFile(opts.SecretsFile, opts.Scrubber)
	if err != nil {
		return err
	}

	plan := &cmdutil.Plan{}
	c, err := opts.APIClient(plan.Options(opts.DryRun)...)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	entries, err := st.list(ctx)
	if err != nil {
		return err
	}
	var existing *entry
	for i := range entries {
		if str(entries[i].Fields, "id") == opts.ID {
			existing = &entries[i]
			break
		}
	}

	// The new client object: the stored one updated with the flags given, or a fresh one.
	client := map[string]any{}
	fresh := true
	if existing != nil && str(existing.Fields, "kind") == opts.Kind {
		for k, v := range existing.Fields {
			client[k] = v
		}
		fresh = false
	} else {
		if existing != nil {
			fmt.Fprintf(opts.IO.ErrOut, "warning: email client %s is a %s client; it is replaced by a %s client (its other settings are dropped)\n",
				opts.ID, str(existing.Fields, "kind"), opts.Kind)
		}
		client["id"], client["kind"] = opts.ID, opts.Kind
		if opts.Kind == kindSMTP && !opts.Given["tls"] {
			client["tls"] = "starttls"
		}
	}
	if opts.Given["from"] {
		client["from"] = opts.From
	}
	if opts.Kind == kindSMTP {
		if opts.Given["host"] {
			client["host"] = opts.Host
		}
		if opts.Given["port"] {
			client["port"] = opts.Port
		}
		if opts.Given["username"] {
			client["username"] = opts.Username
		}
		if opts.Given["tls"] {
			client["tls"] = opts.TLS
		}
	}

	// Required fields of the result.
	var missing []string
	if str(client, "from") == "" {
		missing = append(missing, "--from")
	}
	if opts.Kind == kindSMTP {
		if str(client, "host") == "" {
			missing = append(missing, "--host")
		}
		if _, ok := intOf(client["port"]); !ok {
			missing = append(missing, "--port")
		}
	}
	if len(missing) > 0 {
		return cmdutil.FlagErrorf("email client %s needs %v", opts.ID, missing)
	}
	if opts.Kind == kindSMTP {
		if err := validateTLS(str(client, "tls")); err != nil {
			return err
		}
	}

	// The credential: required for a new client (SMTP only with a username); an update
	// without one keeps the stored secret.
	stored := false
	if !fresh {
		if s, ok := existing.States[field]; ok {
			stored = s.Set
		} else {
			v, _ := existing.Fields[field].(string)
			stored = v != ""
		}
	}
	needed := opts.Kind != kindSMTP || str(client, "username") != ""
	if secret == "" && needed && !stored {
		if opts.IO.CanPrompt() && opts.Prompter != nil {
			s, err := opts.Prompter.Password(ctx, src.What+":")
			if err != nil {
				return cmdutil.ErrCancelled
			}
			opts.Scrubber.Add(s)
			secret = s
		}
		if secret == "" {
			return cmdutil.FlagErrorf("no %s given: pass it on stdin with --%s, set %s, or run on a terminal to be asked", src.What, src.Flag, src.Env)
		}
	}
	if secret != "" && opts.Kind == kindSMTP && str(client, "username") == "" {
		return cmdutil.FlagErrorf("an SMTP password needs --username")
	}
	if secret == apiclient.RedactedMarker {
		return cmdutil.FlagErrorf("the %s given is the redaction marker %q, not a secret", src.What, apiclient.RedactedMarker)
	}
	if secret != "" {
		client[field] = secret
	}

	var result setResult
	if st.dashboard {
		if opts.SecretsFile != "" {
			fmt.Fprintln(opts.IO.ErrOut, "note: --secrets-file is not needed: this server keeps each client's secrets")
		}
		input := apiclient.EmailClientInput{}
		for k, v := range client {
			if apiclient.IsRedacted(v) {
				continue // absent: the server keeps the stored secret
			}
			input[k] = v
		}
		got, created, _, err := c.Admin.UpsertEmailClient(ctx, input)
		if plan.Handled(err) {
			return plan.Print(opts.IO, opts.Format, opts.Now)
		}
		if err != nil {
			return guardErr(err)
		}
		result = setResult{clientView: viewOf(got.Fields, got.Secrets), Created: created}
	} else {
		doc := make([]map[string]any, 0, len(entries)+1)
		placed := false
		for _, e := range entries {
			if str(e.Fields, "id") == opts.ID && !placed {
				doc = append(doc, client)
				placed = true
				continue
			}
			cp := make(map[string]any, len(e.Fields))
			for k, v := range e.Fields {
				cp[k] = v
			}
			doc = append(doc, cp)
		}
		if !placed {
			doc = append(doc, client)
		}
		lost, unused := resupply(doc, secrets)
		if len(lost) > 0 {
			action := "change email client " + opts.ID
			if existing == nil {
				action = "add email client " + opts.ID
			}
			return lossError(action, lost)
		}
		warnUnused(opts.IO, unused)
		out, _, err := c.AdminConfig().SetEmailClients(ctx, doc, apiclient.EmailSecretFields())
		if plan.Handled(err) {
			return plan.Print(opts.IO, opts.Format, opts.Now)
		}
		if err != nil {
			return guardErr(err)
		}
		result = setResult{Created: existing == nil}
		for _, cl := range out {
			if str(cl, "id") == opts.ID {
				result.clientView = viewOf(cl, nil)
			}
		}
		if result.ID == "" {
			result.clientView = viewOf(client, nil)
		}
	}
	if opts.IO.IsStderrTTY() {
		verb := "Updated"
		if result.Created {
			verb = "Created"
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s %s email client %s\n", verb, opts.Kind, opts.ID)
	}
	return output.PrintObject(opts.IO, opts.Format, detailSpec(), opts.Now, result)
}
