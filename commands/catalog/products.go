package catalog

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/kernia-dev/kernia-admin/apiclient"
	"github.com/kernia-dev/kernia-admin/commands/cmdutil"
	"github.com/kernia-dev/kernia-admin/output"
)

type productsOptions struct {
	IO        *output.IOStreams
	APIClient func(...apiclient.Option) (*apiclient.Client, error)
	Now       func() time.Time
	Format    output.Format

	Active *bool
}

func newCmdProducts(f *cmdutil.Factory, runF func(*productsOptions) error) *cobra.Command {
	opts := &productsOptions{IO: f.IOStreams, APIClient: f.APIClient, Now: f.Now}
	var active bool
	cmd := &cobra.Command{
		Use:   "products",
		Short: "List the catalog's products",
		Long: heredoc.Doc(`
			List the products in the server's catalog (copied from Stripe by
			'kernia-admin stripe sync'). --active lists active products only,
			--active=false archived ones only.
		`),
		Example: heredoc.Doc(`
			$ kernia-admin catalog products
			$ kernia-admin catalog products --active=false --json
		`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("active") {
				opts.Active = &active
			}
			if runF != nil {
				return runF(opts)
			}
			return productsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&active, "active", false, "Only active products (--active=false: only archived)")
	output.AddFormatFlags(cmd, &opts.Format)
	return cmd
}

func productsSpec() output.Spec {
	return output.Spec{Columns: []output.Column{
		{Header: "ID", Field: "id"},
		{Header: "Name", Field: "name"},
		{Header: "Active", Field: "active", Kind: output.Bool},
		{Header: "Description", Field: "description"},
		{Header: "Updated", Field: "updatedAt", Kind: output.Time},
	}}
}

func productsRun(ctx context.Context, opts *productsOptions) error {
	c, err := opts.APIClient()
	if err != nil {
		return err
	}
	products, _, err := c.Billing().Products(ctx, opts.Active)
	if err != nil {
		return billingError(err)
	}
	list := output.NewList(opts.IO, opts.Format, productsSpec(), opts.Now)
	for _, p := range products {
		if err := list.Add(p); err != nil {
			return err
		}
	}
	return list.Close()
}
