package sandbox

import (
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

func newCmdSeed(f *cmdutil.Factory) *cobra.Command {
	var db string
	var users int
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Add many generated users to a sandbox database",
		Example: heredoc.Doc(`
			$ kernia-admin sandbox seed --db ./bench.db --users 100000
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if users < 1 || users > 10_000_000 {
				return cmdutil.FlagErrorf("invalid --users %d: must be between 1 and 10000000", users)
			}
			if dryRun {
				fmt.Fprintf(f.IOStreams.ErrOut, "dry run: would add %d users to %s\n", users, db)
				return nil
			}
			srv, err := sandbox.Open(cmd.Context(), sandbox.Options{Path: db})
			if err != nil {
				return err
			}
			defer srv.Close()
			start := time.Now()
			if err := srv.Seed(cmd.Context(), users); err != nil {
				return err
			}
			fmt.Fprintf(f.IOStreams.ErrOut, "seeded %d users into %s in %s\n", users, db, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "./kernia-sandbox.db", "SQLite database file")
	cmd.Flags().IntVar(&users, "users", 1000, "Number of users to add")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "Say what would be added, change nothing")
	return cmd
}
