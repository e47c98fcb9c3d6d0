package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/sandbox"
)

func newCmdReset(f *cmdutil.Factory) *cobra.Command {
	var db string
	var yes, dryRun bool
	cmd := &cobra.Command{
		Use:     "reset",
		Short:   "Delete a sandbox database and create a freshly seeded one",
		Example: "  $ kernia-admin sandbox reset --db ./demo.db --yes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dryRun {
				fmt.Fprintf(f.IOStreams.ErrOut, "dry run: would delete %s and create a freshly seeded database\n", db)
				return nil
			}
			if err := f.Confirm(cmd.Context(), cmdutil.ConfirmOptions{Yes: yes, Action: "delete every row of " + db}); err != nil {
				return err
			}
			for _, p := range []string{db, db + "-wal", db + "-shm"} {
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
			srv, err := sandbox.Open(cmd.Context(), sandbox.Options{Path: db})
			if err != nil {
				return err
			}
			defer srv.Close()
			fmt.Fprintf(f.IOStreams.ErrOut, "reset %s: %d seeded users\n", db, sandbox.SeedUserCount)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "./kernia-sandbox.db", "SQLite database file")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not ask for confirmation")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "Say what would be deleted, change nothing")
	return cmd
}
